// The fine-tuning request of plan and start, built from --model, --training-file,
// --validation-file, --set name=value, --suffix, --seed, --method and --merge. Values are passed to the plugin as
// they are (a number when the text is one, else the string), so the plugin's own checks and
// messages apply: --set n_epochs=abc gives its "must be auto or an integer from 1 to 50".
#pragma once

#include "arguments.h"

#include <nlohmann/json.hpp>

namespace fthost {

nlohmann::json build_request(const Arguments& arguments);

// "12" -> 12, "0.5" -> 0.5, "auto" -> "auto", anything else -> the string.
nlohmann::json parse_value(const std::string& text);

}  // namespace fthost
