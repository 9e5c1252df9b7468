#include "engine/formats/safetensors_index.h"

#include "engine/core/error.h"
#include "engine/core/utf8_text.h"

namespace ft::safetensors {

std::map<std::string, std::vector<std::string>> parse_index(const nlohmann::json& index, const std::string& origin) {
  if (!index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object()) {
    throw Error(ErrorKind::invalid_input, origin + ": no \"weight_map\" object");
  }
  std::map<std::string, std::vector<std::string>> names_by_file;
  for (const auto& [name, file] : index["weight_map"].items()) {
    if (!file.is_string()) {
      throw Error(ErrorKind::invalid_input, origin + ": weight_map entry " + quoted_excerpt(name) + " is not a file name");
    }
    const auto file_name = file.get<std::string>();
    if (file_name.empty() || file_name.find('/') != std::string::npos || file_name.find('\0') != std::string::npos ||
        file_name == "." || file_name == "..") {
      throw Error(ErrorKind::invalid_input, origin + ": shard name " + quoted_excerpt(file_name) + " is not a file in the folder");
    }
    names_by_file[file_name].push_back(name);
  }
  return names_by_file;
}

}  // namespace ft::safetensors
