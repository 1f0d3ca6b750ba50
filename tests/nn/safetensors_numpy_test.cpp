// A minidl checkpoint read by an independent reader: a few lines of Python using numpy only (not
// the safetensors package), written from the format's specification. Skipped, with the reason,
// where /usr/bin/python3 or numpy is missing; under CI=true (.ci/run installs python3-numpy) a
// missing numpy is a failure, so the check cannot silently stop running.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "nn_test_util.h"

using namespace minidl;
using namespace minidl::nn;

namespace {

const char* const kPython = "/usr/bin/python3";

// Reads argv[1] as the specification describes it and prints one line per tensor in data order:
// name, dtype, shape, then every value as Python's repr (shortest round-trip, so exact).
const char* const kReader = R"(import json, sys, zlib
import numpy as np

raw = open(sys.argv[1], "rb").read()
n = int.from_bytes(raw[:8], "little")  # unsigned 64-bit little-endian header length
header = json.loads(raw[8 : 8 + n].decode("utf-8"))
data = raw[8 + n :]
print("data starts 8-byte aligned:", (8 + n) % 8 == 0)
metadata = header.pop("__metadata__", {})
checksums = {k[len("crc32:"):]: metadata.pop(k) for k in list(metadata) if k.startswith("crc32:")}
for key, value in sorted(metadata.items()):
    print("metadata", key, value)
dtypes = {"F32": "<f4", "F64": "<f8", "I64": "<i8", "U8": "u1"}
cursor = 0
for name, info in sorted(header.items(), key=lambda item: item[1]["data_offsets"]):
    begin, end = info["data_offsets"]
    assert begin == cursor, (name, begin, cursor)  # tensors tile the data section
    cursor = end
    array = np.frombuffer(data[begin:end], dtype=dtypes[info["dtype"]]).reshape(info["shape"])
    values = " ".join(repr(v) for v in array.ravel().tolist())
    crc = "crc ok" if checksums.pop(name) == "%08x" % zlib.crc32(data[begin:end]) else "crc BAD"
    print(name, info["dtype"], list(array.shape), values, crc)
assert not checksums, checksums
assert cursor == len(data), (cursor, len(data))
)";

// The command's exit status and its standard output (stderr is sent there too).
std::pair<int, std::string> run(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed"};
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

}  // namespace

TEST(SafetensorsInterop, NumpyReadsAMinidlFileWithExactValues) {
  if (!std::filesystem::exists(kPython) || run(std::string(kPython) + " -c 'import numpy'").first) {
    const char* ci = std::getenv("CI");
    if (ci != nullptr && std::string(ci) == "true") {
      FAIL() << kPython << " with numpy is required when CI=true (apt-get install python3-numpy)";
    }
    GTEST_SKIP() << kPython << " with numpy is not available (apt-get install python3-numpy)";
  }
  const TensorMap tensors = {
      {"layer.weight", tensor({{1.0f, -2.5f, 0.1f}, {1e-30f, 3.0f, -0.0f}})},
      {"layer.bias", tensor({0.25, -1.0 / 3.0}, DType::Float64)},
      // A transposed view is written in its logical (row-major) order.
      {"transposed", tensor({{1, 2, 3}, {4, 5, 6}}, DType::Float64).t()},
      {"index", from_vector(std::vector<int64_t>{-1, (int64_t(1) << 40) + 3})},
      {"mask", from_vector(std::vector<uint8_t>{0, 255, 7})},
      {"step", scalar(42, DType::Int64)},
  };
  const std::string path = minidl::test::unique_temp_path("numpy_interop");
  const std::string script = minidl::test::unique_temp_path("numpy_interop_reader", ".py");
  save_safetensors(path, tensors, {{"epoch", "3"}});
  minidl::test::write_file(script, kReader);
  const auto [status, output] = run(std::string(kPython) + " " + script + " " + path);
  std::filesystem::remove(path);
  std::filesystem::remove(script);
  ASSERT_EQ(status, 0) << output;
  // float32 values printed as the doubles they are exactly (numpy 1.24: float(np.float32(0.1))
  // is 0.10000000149011612, float(np.float32(1e-30)) is 1.0000000031710769e-30); -0.0 keeps its
  // sign; 2^40 + 3 = 1099511627779.
  EXPECT_EQ(output,
            "data starts 8-byte aligned: True\n"
            "metadata epoch 3\n"
            "layer.weight F32 [2, 3] 1.0 -2.5 0.10000000149011612 1.0000000031710769e-30 3.0 -0.0 "
            "crc ok\n"
            "layer.bias F64 [2] 0.25 -0.3333333333333333 crc ok\n"
            "transposed F64 [3, 2] 1.0 4.0 2.0 5.0 3.0 6.0 crc ok\n"
            "index I64 [2] -1 1099511627779 crc ok\n"
            "mask U8 [3] 0 255 7 crc ok\n"
            "step I64 [] 42 crc ok\n");
}
