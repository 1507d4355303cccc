package dev.kansoku.serve;

/**
 * An error answered in OpenAI's envelope ({@code {"error": {"message", "type", "param", "code"}}}) with its HTTP status:
 * 400 for a request the server will not run, 401 without the bearer token, 404 for an unknown model or path, 429 when
 * the queue is full (with Retry-After), 503 while shutting down.
 */
final class ApiError extends RuntimeException {
  final int status;
  final String type;
  final String param;

  ApiError(int status, String type, String param, String message) {
    super(message);
    this.status = status;
    this.type = type;
    this.param = param;
  }

  static ApiError invalid(String param, String message) {
    return new ApiError(400, "invalid_request_error", param, message);
  }
}
