// Delivers events to hosts' on_event callbacks on a thread of its own, in the order they were
// posted. Keeping callbacks off the training and caller threads means a slow callback never
// delays a step, a callback never runs on the thread that created the job, and events recorded
// by a host call (a cancel) still reach the callback from a plugin thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace ft::plugin {

struct Delivery {
  void (*on_event)(void* user_data, const char* job_id, const char* event_json) = nullptr;
  void* user_data = nullptr;
  std::string job_id, event_json;
  std::function<void()> delivered;  // called after on_event returned (the job counts it)
};

class EventDispatcher {
 public:
  EventDispatcher();
  ~EventDispatcher();  // stop()
  EventDispatcher(const EventDispatcher&) = delete;
  EventDispatcher& operator=(const EventDispatcher&) = delete;

  void post(Delivery delivery);
  // Delivers what is queued, then joins the thread. Nothing may be posted afterwards.
  void stop();

 private:
  void loop();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Delivery> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ft::plugin
