/** URLs of the content screens, built in one place. */
const e = encodeURIComponent;

export const paths = {
  entries: (brand: string) => `/b/${e(brand)}/entries`,
  entry: (brand: string, key: string) => `/b/${e(brand)}/entries/${e(key)}`,
  newVariant: (brand: string, key: string) => `/b/${e(brand)}/entries/${e(key)}/variants/new`,
  variant: (brand: string, key: string, id: string) => `/b/${e(brand)}/entries/${e(key)}/variants/${e(id)}`,
  contentTypes: (brand: string) => `/b/${e(brand)}/content-types`,
  audiences: (brand: string) => `/b/${e(brand)}/audiences`,
  assets: (brand: string) => `/b/${e(brand)}/assets`,
};
