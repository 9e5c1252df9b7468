// The message of the latest failure on the calling thread (ft_last_error). Thread-local, so
// concurrent callers never see each other's messages.
#pragma once

#include <string>

namespace ft::plugin {

// Every message a host receives (ft_last_error, a job's "error"): valid UTF-8, whatever bytes a
// message quotes (invalid ones become U+FFFD), and at most 32 KiB, room for a data file's report
// of 50 problems. The engine's messages are already both; this is the guarantee for the rest.
std::string message_for_host(const std::string& message);

// Never throws: when even the copy fails, the message is "out of memory".
void set_last_error(const std::string& message) noexcept;
void clear_last_error();
// Valid on this thread until the next set_last_error or clear_last_error; never NULL.
const char* last_error();

}  // namespace ft::plugin
