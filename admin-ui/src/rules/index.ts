export * from './ops';
export * from './model';
export * from './edit';
export * from './text';
export * from './validate';
export * from './serverIssue';
