"""Removes the native libraries of other platforms from jars, in place: the GPU kit keeps linux-x86_64 only
(the PyTorch JNI's cpu and cu128 builds, the tokenizers' and JNA's linux-x86-64 libraries).

    python3 strip_natives.py JAR...
"""
import os
import sys
import zipfile

NATIVE = (".so", ".dll", ".dylib", ".jnilib", ".a")
KEEP = ("linux-x86_64", "linux-x86-64")


def keep(name: str) -> bool:
    if not name.endswith(NATIVE):
        return True
    return any(k in name for k in KEEP)


def strip(path: str) -> int:
    with zipfile.ZipFile(path) as src:
        entries = src.infolist()
        dropped = [e for e in entries if not keep(e.filename)]
        if not dropped:
            return 0
        tmp = path + ".tmp"
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as out:
            for e in entries:
                if keep(e.filename):
                    out.writestr(e, src.read(e.filename))
    os.replace(tmp, path)
    return len(dropped)


if __name__ == "__main__":
    for jar in sys.argv[1:]:
        n = strip(jar)
        if n:
            print(f"{os.path.basename(jar)}: {n} native file(s) of other platforms removed")
