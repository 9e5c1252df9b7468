#include "plugin/last_error.h"

namespace ft::plugin {
namespace {

// One per thread; a std::string so that the pointer ft_last_error returns stays valid until
// the thread's next call that sets it.
thread_local std::string message_of_this_thread;

}  // namespace

void set_last_error(std::string message) { message_of_this_thread = std::move(message); }

void clear_last_error() { message_of_this_thread.clear(); }

const char* last_error() { return message_of_this_thread.c_str(); }

}  // namespace ft::plugin
