#include "body_files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace rangecache::cache::detail {

body_name::body_name(std::uint64_t id) {
  static constexpr char digits[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i, id >>= 4) text[i] = digits[id & 0xf];
  text[16] = '\0';
}

std::uint64_t parse_body_name(const char* name) {
  std::uint64_t id = 0;
  int n = 0;
  for (; name[n] != '\0'; ++n) {
    const char c = name[n];
    int v;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v = c - 'a' + 10;
    } else {
      return 0;
    }
    if (n == 16) return 0;
    id = (id << 4) | static_cast<std::uint64_t>(v);
  }
  return n == 16 ? id : 0;
}

body_dir::~body_dir() {
  if (fd_ >= 0) ::close(fd_);
}

bool body_dir::open(const std::string& store_path) {
  const std::string path = store_path + "/bodies";
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) return false;
  fd_ = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  return fd_ >= 0;
}

int body_dir::open_for_read(std::uint64_t id) const {
  const body_name name(id);
  return ::openat(fd_, name.text, O_RDONLY | O_CLOEXEC | O_NOATIME);
}

int body_dir::create(std::uint64_t id) const {
  const body_name name(id);
  return ::openat(fd_, name.text, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
}

void body_dir::remove(std::uint64_t id) const {
  const body_name name(id);
  // ENOENT: the body was in LMDB, or is gone already.
  if (::unlinkat(fd_, name.text, 0) == 0) note_removal(id);
}

void body_dir::remove_range(std::uint64_t first, std::uint64_t last) const {
  if (last - first < 64) {
    for (std::uint64_t id = first;; ++id) {
      remove(id);
      if (id == last) return;
    }
  }
  for (const entry& e : list())
    if (e.id >= first && e.id <= last) remove(e.id);
}

std::int64_t body_dir::size_of(std::uint64_t id) const {
  const body_name name(id);
  struct stat st {};
  if (::fstatat(fd_, name.text, &st, 0) != 0 || !S_ISREG(st.st_mode)) return -1;
  return st.st_size;
}

std::vector<body_dir::entry> body_dir::list() const {
  std::vector<entry> out;
  const int dup = ::dup(fd_);
  if (dup < 0) return out;
  DIR* d = ::fdopendir(dup);
  if (!d) {
    ::close(dup);
    return out;
  }
  ::rewinddir(d);
  while (const dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    out.push_back({parse_body_name(e->d_name), e->d_name});
  }
  ::closedir(d);
  return out;
}

void body_dir::remove_name(const std::string& name) const {
  if (::unlinkat(fd_, name.c_str(), 0) == 0) note_removal(parse_body_name(name.c_str()));
}

void body_dir::note_removal(std::uint64_t id) const {
  std::lock_guard lock(history_mu_);
  const std::uint64_t n = removals_.load(std::memory_order_relaxed);
  history_[n % history_size] = id;
  removals_.store(n + 1, std::memory_order_release);
}

bool body_dir::removed_since(std::uint64_t seen, std::vector<std::uint64_t>& out) const {
  std::lock_guard lock(history_mu_);
  const std::uint64_t n = removals_.load(std::memory_order_relaxed);
  if (n - seen > history_size) return false;
  for (std::uint64_t i = seen; i < n; ++i) out.push_back(history_[i % history_size]);
  return true;
}

}  // namespace rangecache::cache::detail
