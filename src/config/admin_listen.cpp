// admin.listen alone, for `rangecache ctl`: a control command must still reach the daemon
// while the rest of the file is being edited (or is broken), and must not resolve the remap
// rules' origin names just to find the admin address.
#include "config/address_parse.hpp"
#include "config/sections.hpp"

namespace rangecache::config {
namespace {

std::optional<listen_endpoint> endpoint_in(const detail::context& ctx, const YAML::Node& admin) {
  const detail::item at{admin, "admin", admin.Mark()};
  if (!admin.IsMap()) ctx.expected(at, "a map with listen");
  for (const auto& entry : admin) {
    if (!entry.first.IsScalar() || entry.first.Scalar() != "listen") continue;
    const detail::item value{entry.second, "admin.listen", entry.second.Mark()};
    if (!entry.second.IsScalar()) ctx.expected(value, "a string like \"127.0.0.1:9090\"");
    listen_endpoint ep;
    const auto text = entry.second.Scalar();
    if (auto why = detail::parse_listen(text, ep); !why.empty())
      ctx.fail(value, why + ", got '" + text + "'");
    return ep;
  }
  return std::nullopt;
}

}  // namespace

std::optional<listen_endpoint> admin_listen_of(const std::string& path) {
  const detail::context ctx(path);
  const YAML::Node root = detail::parse(ctx, detail::read_text(path));
  try {
    if (!root.IsMap()) return std::nullopt;
    for (const auto& entry : root) {
      if (entry.first.IsScalar() && entry.first.Scalar() == "admin")
        return endpoint_in(ctx, entry.second);
    }
  } catch (const YAML::Exception& e) {
    ctx.fail(e.mark, "", e.msg);
  }
  return std::nullopt;
}

}  // namespace rangecache::config
