package dev.kansoku.remote;

/** A call to a served model that failed for good; the request becomes an error row, never a score. */
public final class RemoteCallException extends RuntimeException {
  public RemoteCallException(String message) {
    super(message);
  }
}
