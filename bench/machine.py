"""What a benchmark table is headed by: the CPU model, OpenBLAS's core type as the library picked
it (OPENBLAS_CORETYPE, when set, overrides its detection) and the commit measured."""
import ctypes
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cpu_model():
    """The model name, with the family and model numbers (virtual machines often report a bare
    "AMD EPYC"; family 25 is Zen 3/4, 26 is Zen 5) and whether AVX-512 is there."""
    fields = {}
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
        if not line.strip():
            break
    avx = "AVX-512" if "avx512f" in fields.get("flags", "").split() else "AVX2"
    return (f"{fields.get('model name', 'unknown CPU')} (family {fields.get('cpu family', '?')} "
            f"model {fields.get('model', '?')}, {avx})")


def openblas_core(build):
    """openblas_get_corename() of the OpenBLAS the build in `build` links."""
    cache = (Path(build) / "CMakeCache.txt").read_text()
    match = re.search(r"^MINIDL_OPENBLAS_LIBRARY_\w+:FILEPATH=(.+)$", cache, re.M)
    library = ctypes.CDLL(match.group(1))
    library.openblas_get_corename.restype = ctypes.c_char_p
    return library.openblas_get_corename().decode()


def commit():
    return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True).stdout.strip()


def heading(build):
    return f"{cpu_model()}; OpenBLAS core {openblas_core(build)}; commit {commit()}"
