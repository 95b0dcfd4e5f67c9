#pragma once

#include <filesystem>
#include <string_view>

namespace rc_test {

// A fresh directory under /tmp, removed with everything in it on destruction. Set
// RC_KEEP_TEMP=1 in the environment to keep it for a post-mortem.
class temp_dir {
 public:
  explicit temp_dir(std::string_view prefix = "rc-test");
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  temp_dir(temp_dir&& other) noexcept;
  temp_dir& operator=(temp_dir&& other) noexcept;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

 private:
  void remove() noexcept;

  std::filesystem::path path_;
};

}  // namespace rc_test
