// The message of the latest failure on the calling thread (ft_last_error). Thread-local, so
// concurrent callers never see each other's messages.
#pragma once

#include <string>

namespace ft::plugin {

void set_last_error(std::string message);
void clear_last_error();
// Valid on this thread until the next set_last_error or clear_last_error; never NULL.
const char* last_error();

}  // namespace ft::plugin
