// Module checkpoints: state_dict names and order, bit-exact save/load, and loading that validates
// everything first, so a bad file or map leaves the module exactly as it was.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "nn_test_util.h"

using namespace minidl;
using namespace minidl::nn;
using minidl::test::bit_identical;
using minidl::test::read_file;
using minidl::test::u64_le;
using minidl::test::unique_temp_path;
using minidl::test::write_file;

namespace {

// A small model with parameters, a buffer-carrying layer and nesting.
std::shared_ptr<Sequential> make_model(uint64_t seed) {
  Generator gen(seed);
  auto model = make<Sequential>(make<Linear>(3, 4, true, gen), make<BatchNorm1d>(4), make<ReLU>(),
                                make<Linear>(4, 2, false, gen));
  return model;
}

TensorMap snapshot(const Module& module) {
  TensorMap copy;
  for (const auto& [name, tensor] : state_dict(module)) copy.emplace_back(name, tensor.clone());
  return copy;
}

void expect_same_state(const TensorMap& a, const TensorMap& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].first, b[i].first);
    EXPECT_TRUE(bit_identical(a[i].second, b[i].second)) << a[i].first;
  }
}

TensorMap replaced(TensorMap map, const std::string& name, Tensor value) {
  for (auto& entry : map) {
    if (entry.first == name) entry.second = std::move(value);
  }
  return map;
}

}  // namespace

TEST(StateDict, ListsParametersAndBuffersModuleByModule) {
  auto model = make_model(1);
  std::vector<std::string> names;
  for (const auto& entry : state_dict(*model)) names.push_back(entry.first);
  EXPECT_EQ(names,
            (std::vector<std::string>{"0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean",
                                      "1.running_var", "1.num_batches_tracked", "3.weight"}));
  // The tensors are the module's own storage, not copies.
  auto first = std::dynamic_pointer_cast<Linear>((*model)[0]);
  EXPECT_TRUE(state_dict(*model)[0].second.shares_storage_with(first->weight.data()));
}

TEST(Checkpoint, SaveAndLoadRoundTripBitExactlyIntoADifferentlyInitialisedModel) {
  auto trained = make_model(1);
  (*trained)(Variable(normal({8, 3})));  // moves the BatchNorm running statistics
  const std::string path = ::testing::TempDir() + "/model.safetensors";
  save(*trained, path, {{"epoch", "7"}});
  EXPECT_EQ(load_safetensors(path).metadata, (Metadata{{"epoch", "7"}, {"format", "pt"}}));

  auto fresh = make_model(2);
  auto first = std::dynamic_pointer_cast<Linear>((*fresh)[0]);
  Variable weight_handle = first->weight;  // what an optimizer would hold
  LoadReport report = load(*fresh, path);
  EXPECT_TRUE(report.missing.empty());
  EXPECT_TRUE(report.unexpected.empty());
  expect_same_state(state_dict(*fresh), state_dict(*trained));
  // Loaded in place: Variables held elsewhere see the new values.
  EXPECT_TRUE(weight_handle.same_as(first->weight));
  EXPECT_TRUE(bit_identical(weight_handle.data(), state_dict(*trained)[0].second));
  // And the model computes the same function.
  trained->eval();
  fresh->eval();
  Variable x(normal({5, 3}));
  EXPECT_TRUE(bit_identical((*trained)(x).data(), (*fresh)(x).data()));
}

TEST(Checkpoint, AWrongShapeOrDtypeIsAnErrorAndChangesNothing) {
  auto source = make_model(1);
  auto target = make_model(2);
  const TensorMap before = snapshot(*target);
  TensorMap good = state_dict(*source);

  // A shape mismatch late in the map: earlier entries must not have been copied either.
  EXPECT_MINIDL_ERROR(load_state_dict(*target, replaced(good, "3.weight", zeros({2, 5}))),
                      "load_state_dict: '3.weight' has shape [2, 5] but the module expects [2, 4]");
  expect_same_state(state_dict(*target), before);
  EXPECT_MINIDL_ERROR(
      load_state_dict(*target, replaced(good, "1.num_batches_tracked", zeros({}))),
      "load_state_dict: '1.num_batches_tracked' is float32 but the module expects int64");
  expect_same_state(state_dict(*target), before);
}

TEST(Checkpoint, CastFloatingConvertsBetweenFloat32AndFloat64) {
  auto wide = make_model(1);
  wide->to(DType::Float64);
  for (Variable p : wide->parameters()) p.set_data(full(p.shape(), 0.1, DType::Float64));
  auto narrow = make_model(2);
  const TensorMap before = snapshot(*narrow);
  // Refused without the option, with a hint; nothing changes.
  EXPECT_MINIDL_ERROR(load_state_dict(*narrow, state_dict(*wide)),
                      "load_state_dict: '0.weight' is float64 but the module expects float32 "
                      "(load with cast_floating to convert)");
  expect_same_state(state_dict(*narrow), before);
  // float64 -> float32 rounds to nearest; integer buffers load as they are.
  load_state_dict(*narrow, state_dict(*wide), LoadOptions{.cast_floating = true});
  for (const auto& [name, p] : narrow->named_parameters()) {
    EXPECT_EQ(p.dtype(), DType::Float32) << name;
    for (float v : p.data().to_vector<float>()) EXPECT_EQ(v, 0.1f) << name;
  }
  // float32 -> float64 is exact.
  auto back = make_model(3);
  back->to(DType::Float64);
  const std::string path = unique_temp_path("cast");
  save(*narrow, path);
  EXPECT_MINIDL_ERROR(load(*back, path), "load: " + path +
                                             ": '0.weight' is float32 but the module expects "
                                             "float64 (load with cast_floating to convert)");
  load(*back, path, {.cast_floating = true});
  for (const auto& [name, p] : back->named_parameters()) {
    for (double v : p.data().to_vector<double>()) EXPECT_EQ(v, double(0.1f)) << name;
  }
  std::filesystem::remove(path);
}

TEST(Checkpoint, CastFloatingReadsHalfPrecisionFiles) {
  // A Linear(2 -> 1) as PyTorch saves it in half precision: the weight in F16, the bias in BF16.
  const std::string header =
      R"({"weight": {"dtype": "F16", "shape": [1, 2], "data_offsets": [0, 4]},)"
      R"( "bias": {"dtype": "BF16", "shape": [1], "data_offsets": [4, 6]}})";
  const std::string data = std::string("\x00\x3c\x00\xc0", 4) + std::string("\x20\xc0", 2);
  const std::string path = unique_temp_path("half");
  write_file(path, u64_le(header.size()) + header + data);
  Linear model(2, 1);
  EXPECT_MINIDL_ERROR(load(model, path),
                      "load_safetensors: " + path +
                          ": tensor 'weight': F16 is read only as float32, with half_as_float32 "
                          "(nn::load: cast_floating)");
  load(model, path, {.cast_floating = true});
  EXPECT_EQ(model.weight.data().to_vector<float>(), (std::vector<float>{1.0f, -2.0f}));
  EXPECT_EQ(model.bias.data().to_vector<float>(), (std::vector<float>{-2.5f}));
  // Into a float64 model: half -> float32 -> float64, all exact.
  model.to(DType::Float64);
  load(model, path, {.cast_floating = true});
  EXPECT_EQ(model.weight.data().to_vector<double>(), (std::vector<double>{1.0, -2.0}));
  std::filesystem::remove(path);
}

TEST(Checkpoint, StrictLoadingRejectsMissingAndUnexpectedKeysNonStrictReportsThem) {
  auto source = make_model(1);
  auto target = make_model(2);
  const TensorMap before = snapshot(*target);
  TensorMap partial = state_dict(*source);
  partial.erase(partial.begin() + 1);  // drop "0.bias"
  partial.emplace_back("decoder.weight", zeros({1}));
  EXPECT_MINIDL_ERROR(load_state_dict(*target, partial),
                      "load_state_dict: 1 missing keys ['0.bias'] and 1 unexpected keys "
                      "['decoder.weight'] (load with strict = false to load the matching ones)");
  expect_same_state(state_dict(*target), before);

  LoadReport report = load_state_dict(*target, partial, /*strict=*/false);
  EXPECT_EQ(report.missing, std::vector<std::string>{"0.bias"});
  EXPECT_EQ(report.unexpected, std::vector<std::string>{"decoder.weight"});
  const TensorMap after = state_dict(*target);
  EXPECT_TRUE(bit_identical(after[0].second, state_dict(*source)[0].second));  // loaded
  EXPECT_TRUE(bit_identical(after[1].second, before[1].second));               // kept

  TensorMap duplicated = state_dict(*source);
  duplicated.push_back(duplicated.front());
  EXPECT_MINIDL_ERROR(load_state_dict(*target, duplicated),
                      "load_state_dict: duplicate key '0.weight'");
}

TEST(Checkpoint, ACorruptFileLeavesTheModuleUnchanged) {
  auto source = make_model(1);
  const std::string path = ::testing::TempDir() + "/corrupt.safetensors";
  save(*source, path);
  // Truncate the file by 4 bytes, as a crash during a non-atomic copy would.
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size() - 4));
  }
  auto target = make_model(2);
  const TensorMap before = snapshot(*target);
  EXPECT_MINIDL_ERROR_CONTAINS(load(*target, path), "load_safetensors: " + path + ": ",
                               "run past the data section");
  expect_same_state(state_dict(*target), before);

  // A valid file for another model: the mismatch names the file.
  const std::string other = ::testing::TempDir() + "/other_model.safetensors";
  save(Linear(3, 3), other);
  EXPECT_MINIDL_ERROR_CONTAINS(load(*target, other), "load: " + other + ": ", "missing keys");
  expect_same_state(state_dict(*target), before);
}

TEST(Checkpoint, AnOversizedHeaderLengthIsAnErrorAndChangesNothing) {
  auto source = make_model(1);
  const std::string path = unique_temp_path("oversized_header");
  save(*source, path);
  const std::string bytes = read_file(path);
  auto target = make_model(2);
  const TensorMap before = snapshot(*target);
  // The two models differ, so a load that went through would show.
  ASSERT_FALSE(bit_identical(before[0].second, state_dict(*source)[0].second));

  // A length one byte beyond what the file holds after the length field.
  const uint64_t after_length_field = bytes.size() - 8;
  write_file(path, u64_le(after_length_field + 1) + bytes.substr(8));
  for (bool strict : {true, false}) {
    EXPECT_MINIDL_ERROR(load(*target, path, strict),
                        "load_safetensors: " + path + ": header length " +
                            std::to_string(after_length_field + 1) + " exceeds the " +
                            std::to_string(after_length_field) + " bytes after the length field");
    expect_same_state(state_dict(*target), before);
  }
  // All bits set, as a length read from garbage would be: refused before any allocation.
  write_file(path, u64_le(~uint64_t(0)) + bytes.substr(8));
  EXPECT_MINIDL_ERROR(load(*target, path),
                      "load_safetensors: " + path +
                          ": header length 18446744073709551615 exceeds the limit of 100000000 "
                          "bytes");
  expect_same_state(state_dict(*target), before);
  std::filesystem::remove(path);
}

TEST(Checkpoint, DataOffsetsOutOfRangeAreAnErrorAndChangeNothing) {
  auto source = make_model(1);
  const std::string path = unique_temp_path("offsets_out_of_range");
  save(*source, path);
  const std::string bytes = read_file(path);
  // Parse the header independently of the code under test (nlohmann::json directly).
  uint64_t header_length = 0;
  for (int i = 0; i < 8; ++i) header_length |= uint64_t(uint8_t(bytes[size_t(i)])) << (8 * i);
  nlohmann::json header = nlohmann::json::parse(bytes.substr(8, header_length));
  const std::string data = bytes.substr(8 + header_length);
  // The last tensor in the data section, so every other entry is valid and would already have
  // been copied by a loader that did not validate the whole file first.
  std::string last;
  uint64_t last_begin = 0;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") continue;
    const uint64_t begin = it.value()["data_offsets"][0].get<uint64_t>();
    if (last.empty() || begin > last_begin) {
      last = it.key();
      last_begin = begin;
    }
  }
  ASSERT_EQ(last, "3.weight");  // Linear(4, 2, no bias): [2, 4] float32, 32 bytes
  const uint64_t end = header[last]["data_offsets"][1].get<uint64_t>();
  ASSERT_EQ(end, data.size());
  ASSERT_EQ(end - last_begin, 32u);

  auto target = make_model(2);
  const TensorMap before = snapshot(*target);
  // Shifted 8 bytes on (the span still fits the shape), and moved to the top of the 64-bit range
  // (where a careless begin + size would wrap around).
  const uint64_t top = ~uint64_t(0);
  for (auto [begin, finish] : {std::pair{last_begin + 8, end + 8}, std::pair{top - 32, top}}) {
    nlohmann::json bad = header;
    bad[last]["data_offsets"] = {begin, finish};
    std::string text = bad.dump();
    text.append((8 - text.size() % 8) % 8, ' ');
    write_file(path, u64_le(text.size()) + text + data);
    EXPECT_MINIDL_ERROR(load(*target, path),
                        "load_safetensors: " + path + ": tensor '3.weight': data_offsets [" +
                            std::to_string(begin) + ", " + std::to_string(finish) +
                            "] run past the data section of " + std::to_string(data.size()) +
                            " bytes");
    expect_same_state(state_dict(*target), before);
  }
  // The unmodified header with the same data loads: the rewriting above is not what failed.
  write_file(path, bytes);
  load(*target, path);
  expect_same_state(state_dict(*target), state_dict(*source));
  std::filesystem::remove(path);
}

TEST(Checkpoint, PrefixesCombineSeveralMapsInOneFile) {
  TensorMap model = {{"w", tensor({1.0})}};
  TensorMap optimizer = {{"state.0.step", scalar(3, DType::Int64)}};
  TensorMap all = with_prefix("model.", model);
  for (const auto& entry : with_prefix("optimizer.", optimizer)) all.push_back(entry);
  EXPECT_EQ(all[0].first, "model.w");
  EXPECT_EQ(all[1].first, "optimizer.state.0.step");
  TensorMap back = strip_prefix(all, "optimizer.");
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].first, "state.0.step");
}
