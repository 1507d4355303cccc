package dev.kansoku.sandbox;

/** One protection between untrusted code and the host; a run reports which were in force. */
public enum IsolationLayer {
  /** A fresh working directory, deleted afterwards. */
  TEMP_DIRECTORY,
  /** No inherited environment: only PATH, HOME (the temp dir), LANG and Python's own flags. */
  CLEAN_ENVIRONMENT,
  /** CPU seconds, address space, processes, file size and open-file limits (setrlimit). */
  RESOURCE_LIMITS,
  /** Its own session and process group (its own PID namespace under bwrap), killed as a whole. */
  PROCESS_GROUP,
  /** Runs as an unprivileged user (nobody), so process limits apply and private files stay private. */
  UNPRIVILEGED_USER,
  /** A network namespace with no interfaces but a down loopback: no connection leaves it. */
  NETWORK_NAMESPACE,
  /** A PID namespace: it sees and can signal only its own processes. */
  PID_NAMESPACE,
  /** The host file system mounted read-only; /tmp, /root and the JVM user's home replaced by empty tmpfs; only the temp dir writable. */
  READ_ONLY_FILESYSTEM
}
