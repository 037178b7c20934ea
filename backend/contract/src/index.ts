/** @zt-demo/api-contract: the backend's HTTP API, once. */
export * from './schemas.ts';
export { ApiError, type ErrorBody } from './errors.ts';
export { ROUTES, routeOf, type Access, type Route } from './routes.ts';
export { API_VERSION, openApiDocument } from './openapi.ts';
