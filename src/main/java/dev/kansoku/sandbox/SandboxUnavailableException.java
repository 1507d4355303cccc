package dev.kansoku.sandbox;

/** Untrusted code was about to run without the isolation the configuration requires. */
public class SandboxUnavailableException extends RuntimeException {
  public SandboxUnavailableException(String message) {
    super(message);
  }
}
