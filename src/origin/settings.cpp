#include "rangecache/origin/settings.hpp"

namespace rangecache::origin {

send_settings settings_for(const config::upstream_settings& upstream, bool head) {
  send_settings s;
  s.connect_timeout = upstream.connect_timeout;
  s.read_timeout = upstream.read_timeout;
  s.idle_timeout = upstream.idle_timeout;
  s.head = head;
  return s;
}

}  // namespace rangecache::origin
