export * from './gen/graphql';
export { fetchFile, request, UNAUTHENTICATED_EVENT } from './client';
export { ApiError, asApiError, describeError, isRetryable, messageForField, type ErrorCode } from './errors';
export { useMutation, useQuery, type QueryState } from './hooks';
export { clearToken, getToken, setToken } from './token';
