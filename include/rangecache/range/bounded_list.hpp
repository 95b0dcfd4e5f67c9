// A list with a fixed capacity stored inline: parsing and resolving a Range header happen on
// every request, and this keeps them free of heap allocation. Only for small trivially
// copyable element types.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <new>
#include <span>
#include <type_traits>

namespace rangecache::range {

template <class T, std::size_t Capacity>
class bounded_list {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  bounded_list() noexcept = default;
  bounded_list(const bounded_list& other) noexcept { *this = other; }
  bounded_list& operator=(const bounded_list& other) noexcept {
    // Copies only the live elements: the storage behind them is never initialised.
    if (this != &other) {
      size_ = other.size_;
      if (size_ != 0) std::memcpy(storage_, other.storage_, size_ * sizeof(T));
    }
    return *this;
  }

  static constexpr std::size_t capacity() noexcept { return Capacity; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  bool full() const noexcept { return size_ == Capacity; }

  // False (and nothing stored) when the list is full.
  bool push_back(const T& value) noexcept {
    if (size_ == Capacity) return false;
    std::construct_at(data() + size_, value);
    ++size_;
    return true;
  }
  void clear() noexcept { size_ = 0; }
  // Keeps the first `count` elements (no-op when there are fewer).
  void truncate(std::size_t count) noexcept {
    if (count < size_) size_ = count;
  }

  T* data() noexcept { return std::launder(reinterpret_cast<T*>(storage_)); }
  const T* data() const noexcept { return std::launder(reinterpret_cast<const T*>(storage_)); }
  T* begin() noexcept { return data(); }
  T* end() noexcept { return data() + size_; }
  const T* begin() const noexcept { return data(); }
  const T* end() const noexcept { return data() + size_; }
  T& operator[](std::size_t i) noexcept { return data()[i]; }
  const T& operator[](std::size_t i) const noexcept { return data()[i]; }
  T& front() noexcept { return data()[0]; }
  const T& front() const noexcept { return data()[0]; }
  T& back() noexcept { return data()[size_ - 1]; }
  const T& back() const noexcept { return data()[size_ - 1]; }

  std::span<T> span() noexcept { return {data(), size_}; }
  std::span<const T> span() const noexcept { return {data(), size_}; }
  operator std::span<const T>() const noexcept { return span(); }  // NOLINT: implicit on purpose

  friend bool operator==(const bounded_list& a, const bounded_list& b) noexcept {
    if (a.size_ != b.size_) return false;
    for (std::size_t i = 0; i < a.size_; ++i) {
      if (!(a[i] == b[i])) return false;
    }
    return true;
  }

 private:
  alignas(T) unsigned char storage_[Capacity * sizeof(T)];
  std::size_t size_ = 0;
};

}  // namespace rangecache::range
