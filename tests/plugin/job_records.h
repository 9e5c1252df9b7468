// What a test reads back from a job's folder, without the engine: the losses per step from
// results.csv, the weights of a model.safetensors, and whether every record is whole.
#pragma once

#include "tests/plugin/plugin_host.h"

#include <cmath>
#include <cstring>
#include <functional>
#include <map>

namespace ft::testing {

// Polls until `ready` holds; fails the test after two minutes.
inline void wait_until(const std::function<bool()>& ready) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!ready()) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

// Each step's train_loss; a step trained again after a resume keeps its last row.
inline std::map<int64_t, double> losses_by_step(const std::filesystem::path& results_csv) {
  std::map<int64_t, double> losses;
  std::istringstream lines(read_text(results_csv));
  std::string line;
  std::getline(lines, line);  // the header
  while (std::getline(lines, line)) {
    std::vector<std::string> fields;
    std::stringstream row(line);
    for (std::string field; std::getline(row, field, ',');) fields.push_back(field);
    REQUIRE(fields.size() >= 4);
    losses[std::stoll(fields[0])] = std::stod(fields[3]);
  }
  return losses;
}

// The F32 tensors of a safetensors file by name.
inline std::map<std::string, std::vector<float>> read_f32_tensors(const std::filesystem::path& file) {
  const std::string bytes = read_text(file);
  REQUIRE(bytes.size() >= 8);
  uint64_t header_size = 0;
  std::memcpy(&header_size, bytes.data(), 8);  // little-endian, as the format and x86/ARM are
  const auto header = nlohmann::json::parse(bytes.substr(8, header_size));
  std::map<std::string, std::vector<float>> tensors;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") continue;
    REQUIRE(entry.at("dtype") == "F32");
    const auto begin = entry.at("data_offsets")[0].get<uint64_t>(), end = entry.at("data_offsets")[1].get<uint64_t>();
    std::vector<float> values((end - begin) / 4);
    std::memcpy(values.data(), bytes.data() + 8 + header_size + begin, end - begin);
    tensors[name] = std::move(values);
  }
  return tensors;
}

// The largest absolute difference between two models' weights; infinity when their tensors differ.
inline double max_weight_difference(const std::filesystem::path& a, const std::filesystem::path& b) {
  const auto x = read_f32_tensors(a), y = read_f32_tensors(b);
  if (x.size() != y.size()) return INFINITY;
  double largest = 0;
  for (const auto& [name, values] : x) {
    const auto other = y.find(name);
    if (other == y.end() || other->second.size() != values.size()) return INFINITY;
    for (size_t i = 0; i < values.size(); ++i) largest = std::max(largest, double(std::fabs(values[i] - other->second[i])));
  }
  return largest;
}

// Every record of a job is whole and readable: each line of events.jsonl an event in sequence,
// each row of results.csv complete, no temporary or partial file left behind.
inline void check_records_whole(const std::filesystem::path& job_folder) {
  std::istringstream events(read_text(job_folder / "events.jsonl"));
  uint64_t seq = 0;
  for (std::string line; std::getline(events, line);) {
    INFO("events.jsonl: " << line);
    const auto event = nlohmann::json::parse(line, nullptr, false);
    REQUIRE(event.is_object());
    CHECK(event.at("seq") == ++seq);
  }
  if (std::filesystem::exists(job_folder / "results.csv")) {
    const auto text = read_text(job_folder / "results.csv");
    CHECK((text.empty() || text.back() == '\n'));
    std::istringstream rows(text);
    for (std::string row; std::getline(rows, row);) {
      INFO("results.csv: " << row);
      CHECK(std::count(row.begin(), row.end(), ',') == 8);
    }
  }
  for (const auto& entry : std::filesystem::recursive_directory_iterator(job_folder)) {
    const auto name = entry.path().filename().string();
    INFO(entry.path());
    CHECK(name.find(".tmp") == std::string::npos);
    CHECK(name.find(".partial") == std::string::npos);
  }
}

}  // namespace ft::testing
