# Kansoku sandbox runner: executes one candidate program the way bigcode-evaluation-harness does
# (exec of the whole program, a per-program time limit by SIGALRM) after setting resource limits,
# then writes the outcome as one JSON line to the result file named on the command line.
import json
import resource
import signal
import sys


def limit(kind, value):
    if value > 0:
        try:
            resource.setrlimit(kind, (value, value))
        except (ValueError, OSError):
            pass


def main():
    program_path, result_path, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
    limits = json.loads(sys.argv[4])
    limit(resource.RLIMIT_AS, limits["address_space"])
    limit(resource.RLIMIT_DATA, limits["address_space"])
    limit(resource.RLIMIT_CPU, limits["cpu_seconds"])
    limit(resource.RLIMIT_FSIZE, limits["file_size"])
    limit(resource.RLIMIT_NOFILE, limits["open_files"])
    limit(resource.RLIMIT_NPROC, limits["processes"])
    limit(resource.RLIMIT_CORE, 0)
    with open(program_path, encoding="utf-8") as f:
        program = f.read()
    # the result file is opened before the candidate runs, so a candidate that exhausts open files
    # or exits early cannot keep the runner from reporting
    result = open(result_path, "w", encoding="utf-8")

    class TimedOut(BaseException):
        pass

    def on_alarm(signum, frame):
        raise TimedOut()

    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        try:
            exec(compile(program, "program.py", "exec"), {"__name__": "__main__", "__builtins__": __builtins__})
        finally:
            # cancel the alarm before any handler runs: an alarm that fired while an exception (a MemoryError after
            # seconds of allocation) was being handled used to escape every handler and crash the runner
            signal.setitimer(signal.ITIMER_REAL, 0)
        status, detail = "passed", ""
    except TimedOut:
        status, detail = "timed out", ""
    except AssertionError as e:
        status, detail = "failed", "AssertionError: " + str(e)
    except BaseException as e:  # SystemExit and KeyboardInterrupt too: exiting early is not passing
        status, detail = "error", type(e).__name__ + ": " + str(e)
    result.write(json.dumps({"status": status, "detail": detail[:500]}) + "\n")
    result.flush()


main()
