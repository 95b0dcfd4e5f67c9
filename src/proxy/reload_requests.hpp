// POST /reload on the admin listener: the reload itself runs where SIGHUP's runs (the main
// thread, between signals), so the two can never overlap; each request waiting is told how
// the reload it caused went.
#pragma once

#include <functional>
#include <mutex>
#include <vector>

#include "rangecache/proxy/server.hpp"

namespace rangecache::proxy {

class reload_requests {
 public:
  using answer_fn = std::function<void(const reload_outcome&)>;

  void set_trigger(std::function<void()> trigger);

  // Queues `answer` for the next reload and asks for one; false when nothing in this process
  // can reload (no trigger: a server embedded in a test).
  bool ask(answer_fn answer);

  // The requests a reload starting now will answer. Taken before the file is read, so each
  // is answered by a reload that read the file after it asked.
  std::vector<answer_fn> take();

 private:
  std::mutex mutex_;
  std::function<void()> trigger_;
  std::vector<answer_fn> waiting_;
};

}  // namespace rangecache::proxy
