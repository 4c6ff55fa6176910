/** The experiment report's URL. */
export const experimentPath = (brand: string, id: string) => `/b/${encodeURIComponent(brand)}/experiments/${encodeURIComponent(id)}`;
