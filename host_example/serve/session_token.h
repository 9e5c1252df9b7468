// The secret of one `ft-host serve` session. The URL it prints carries it; every API call must
// present it, so that other users of the machine, and pages of other sites open in the same
// browser, cannot drive the plugin.
#pragma once

#include <string>

namespace fthost {

// 32 random bytes from the kernel (getrandom), as 64 lowercase hex digits.
std::string new_session_token();

// Whether `given` equals `expected`, in a time that does not depend on where they first differ.
bool same_token(const std::string& given, const std::string& expected);

}  // namespace fthost
