// ft_version's line: the library, its ABI, the libtorch it was built with and this machine's
// devices.
#pragma once

namespace ft::plugin {

// Built once; static for the life of the library.
const char* version_text();

}  // namespace ft::plugin
