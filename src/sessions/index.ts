export { SessionService, CSRF_HEADER, type OpenedSession, type SessionView } from "./session-service";
export { sessionRoutes } from "./session-routes";
export { SESSION_COOKIE, sessionCookieOf } from "./session-cookie";
