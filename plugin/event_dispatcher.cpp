#include "plugin/event_dispatcher.h"

namespace ft::plugin {

EventDispatcher::EventDispatcher() : thread_([this] { loop(); }) {}

EventDispatcher::~EventDispatcher() { stop(); }

void EventDispatcher::post(Delivery delivery) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(delivery));
  }
  wake_.notify_one();
}

void EventDispatcher::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void EventDispatcher::loop() {
  for (;;) {
    Delivery next;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything was delivered
      next = std::move(queue_.front());
      queue_.pop_front();
    }
    // No lock is held during the call: the callback may call back into the plugin.
    if (next.on_event) {
      try {
        next.on_event(next.user_data, next.job_id.c_str(), next.event_json.c_str());
      } catch (...) {
        // A C++ host's callback that throws must not take the plugin's thread down.
      }
    }
    if (next.delivered) next.delivered();
  }
}

}  // namespace ft::plugin
