// Header filtering at the proxy boundary: hop-by-hop fields never cross it (RFC 9110 §7.6.1).
#pragma once

#include <boost/beast/http/fields.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "rangecache/cache/field_rules.hpp"

namespace rangecache::proxy {

// Removes Connection and every field it names, Keep-Alive, Proxy-Connection, TE, Trailer,
// Transfer-Encoding and Upgrade.
void strip_hop_by_hop(boost::beast::http::fields& fields);

// Appends our entry to Via ("1.1 rangecache"), keeping what earlier hops wrote.
void append_via(boost::beast::http::fields& fields, unsigned http_version);

// The field names the Connection header lists: those fields describe this connection only
// (RFC 9110 §7.6.1) and are neither forwarded nor stored.
std::vector<std::string> connection_tokens(const boost::beast::http::fields& fields);
bool named_in(const std::vector<std::string>& tokens, std::string_view name);

// Copies every field of `from` into `to` except hop-by-hop ones.
void copy_end_to_end(const boost::beast::http::fields& from, boost::beast::http::fields& to);

using cache::is_hop_by_hop;

// Authorization, Proxy-Authorization and Cookie: what identifies one client to the origin.
// A request made for the cache's own sake (a background fetch) must not carry them.
bool is_credential(std::string_view name);

// Marks our own fetches so that a tier of rangecache nodes never fetches a fetch.
inline constexpr std::string_view fetch_marker = "X-Rangecache-Fetch";

// Removes the headers that steer the cache (X-Crr-Ims, X-Crr-Ident, X-Skip-Crr, the fetch
// marker) and the rule's own names for the first two, `ims_header` and `ident_header`. Only
// `trusted` clients may send them: from anyone else they must reach neither the cache nor
// the origin, whatever the method.
void strip_control_headers(boost::beast::http::fields& fields, std::string_view ims_header,
                           std::string_view ident_header);

}  // namespace rangecache::proxy
