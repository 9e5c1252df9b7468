#include "engine/core/error.h"
#include "engine/formats/safetensors_format.h"
#include "engine/formats/safetensors_header.h"
#include "engine/formats/safetensors_reader.h"
#include "engine/formats/safetensors_writer.h"
#include "tests/catch.h"
#include "tests/temp_folder.h"

#include <nlohmann/json.hpp>

using ft::Error;
using ft::SafetensorsReader;
using ft::testing::TempFolder;

namespace {

// A safetensors file from a header document and a data buffer, written by hand so that every
// field can be made wrong.
std::string safetensors_bytes(const nlohmann::json& header, const std::string& data, int64_t claimed_length = -1) {
  const std::string text = header.dump();
  const uint64_t n = claimed_length >= 0 ? static_cast<uint64_t>(claimed_length) : text.size();
  std::string out;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  return out + text + data;
}

nlohmann::json f32_entry(std::vector<int64_t> shape, uint64_t begin, uint64_t end) {
  return {{"dtype", "F32"}, {"shape", shape}, {"data_offsets", {begin, end}}};
}

// The message of the ft::Error that opening `bytes` as a safetensors file throws.
std::string open_error(const std::string& bytes) {
  TempFolder dir;
  auto path = dir.write("bad.safetensors", bytes);
  try {
    SafetensorsReader reader(path);
  } catch (const Error& e) {
    CHECK(e.kind() == ft::ErrorKind::invalid_input);
    CHECK(std::string(e.what()).find("bad.safetensors") != std::string::npos);
    return e.what();
  }
  FAIL("no error for a malformed file");
  return {};
}

}  // namespace

TEST_CASE("safetensors files round-trip every supported dtype", "[safetensors]") {
  TempFolder dir;
  ft::NamedTensors tensors = {
      {"f32", torch::randn({3, 4})},
      {"f16", torch::randn({5}).to(torch::kHalf)},
      {"bf16", torch::randn({2, 2, 2}).to(torch::kBFloat16)},
      {"i64", torch::arange(7, torch::kLong)},
      {"i32", torch::arange(3, torch::kInt)},
      {"u8", torch::arange(4, torch::kByte)},
      {"empty", torch::zeros({0, 3})},
  };
  ft::write_safetensors(dir / "all.safetensors", tensors);
  SafetensorsReader reader(dir / "all.safetensors");
  REQUIRE(reader.entries().size() == tensors.size());
  CHECK(reader.metadata().at("format") == "pt");
  for (const auto& [name, t] : tensors) {
    auto back = reader.read(name);
    CHECK(back.scalar_type() == t.scalar_type());
    CHECK(back.sizes() == t.sizes());
    CHECK(torch::equal(back, t));
  }
}

TEST_CASE("malformed safetensors files give an error naming the file and the problem", "[safetensors]") {
  const std::string data(48, '\0');
  SECTION("truncated before the header length") {
    CHECK_THAT(open_error("abc"), Catch::Matchers::Contains("truncated"));
  }
  SECTION("header length beyond the end of the file") {
    CHECK_THAT(open_error(safetensors_bytes({{"a", f32_entry({2}, 0, 8)}}, data, 1 << 20)),
               Catch::Matchers::Contains("beyond the end of the file"));
  }
  SECTION("absurd header length") {
    CHECK_THAT(open_error(safetensors_bytes({}, data, int64_t(1) << 40)), Catch::Matchers::Contains("exceeds the limit"));
  }
  SECTION("header that is not JSON") {
    std::string bytes = safetensors_bytes({{"a", f32_entry({2}, 0, 8)}}, data);
    bytes[9] = '#';
    CHECK_THAT(open_error(bytes), Catch::Matchers::Contains("not valid JSON"));
  }
  SECTION("offsets outside the data buffer") {
    CHECK_THAT(open_error(safetensors_bytes({{"a", f32_entry({16}, 0, 64)}}, data)),
               Catch::Matchers::Contains("outside the data buffer"));
  }
  SECTION("overlapping tensors") {
    auto header = nlohmann::json{{"a", f32_entry({4}, 0, 16)}, {"b", f32_entry({4}, 8, 24)}};
    CHECK_THAT(open_error(safetensors_bytes(header, data)), Catch::Matchers::Contains("overlap"));
  }
  SECTION("unknown dtype") {
    auto header = nlohmann::json{{"a", {{"dtype", "F7"}, {"shape", {2}}, {"data_offsets", {0, 8}}}}};
    CHECK_THAT(open_error(safetensors_bytes(header, data)), Catch::Matchers::Contains("unknown dtype \"F7\""));
  }
  SECTION("shape that does not match the byte count") {
    CHECK_THAT(open_error(safetensors_bytes({{"a", f32_entry({3, 3}, 0, 16)}}, data)),
               Catch::Matchers::Contains("needs 36 bytes but data_offsets hold 16"));
  }
  SECTION("shape whose byte count overflows") {
    auto header = nlohmann::json{{"a", f32_entry({int64_t(1) << 62, 16}, 0, 16)}};
    CHECK_THAT(open_error(safetensors_bytes(header, data)), Catch::Matchers::Contains("more than 2^64"));
  }
  SECTION("entry without data_offsets") {
    auto header = nlohmann::json{{"a", {{"dtype", "F32"}, {"shape", {2}}}}};
    CHECK_THAT(open_error(safetensors_bytes(header, data)), Catch::Matchers::Contains("no \"data_offsets\""));
  }
  SECTION("negative dimension") {
    auto header = nlohmann::json{{"a", {{"dtype", "F32"}, {"shape", {-2}}, {"data_offsets", {0, 8}}}}};
    CHECK_THAT(open_error(safetensors_bytes(header, data)), Catch::Matchers::Contains("not a size"));
  }
}

TEST_CASE("a missing safetensors file is not_found", "[safetensors]") {
  try {
    SafetensorsReader reader("/nonexistent/model.safetensors");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.kind() == ft::ErrorKind::not_found);
    CHECK_THAT(e.what(), Catch::Matchers::Contains("/nonexistent/model.safetensors"));
  }
}

TEST_CASE("the header parser's dtypes are the ones the reader maps to torch types", "[safetensors]") {
  for (const char* name : {"F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL", "F8_E4M3", "U16", "f32"}) {
    INFO(name);
    const auto size = ft::safetensors::element_size(name);
    const auto type = ft::safetensors::dtype_from_name(name);
    REQUIRE(size.has_value() == type.has_value());
    if (type) CHECK(*size == c10::elementSize(*type));
  }
}

TEST_CASE("a shape dimension beyond int64 is refused, not wrapped", "[safetensors]") {
  const nlohmann::json header = {{"t", {{"dtype", "F32"}, {"shape", {0, uint64_t{1} << 63}}, {"data_offsets", {0, 0}}}}};
  CHECK_THAT(open_error(safetensors_bytes(header, "")), Catch::Matchers::Contains("not a size"));
}
