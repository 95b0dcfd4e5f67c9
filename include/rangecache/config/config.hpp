// The validated configuration: plain structs, no YAML types. Built by load_file() at start
// and on SIGHUP; shared read-only as std::shared_ptr<const config>.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "rangecache/util/cidr.hpp"
#include "rangecache/util/size.hpp"

namespace rangecache::config {

using std::chrono::milliseconds;

// An IP literal and a port; `[::]:8080` and `0.0.0.0:8080` in YAML.
struct listen_endpoint {
  std::string address;  // without brackets, for make_address()
  std::uint16_t port = 0;
  std::string text;  // as written, for logs
};

enum class sync_mode { none, meta, full };

// Whether large bodies live in files of their own and are sent with sendfile (on: every
// body whose length is not known to be tiny; auto: bodies of at least
// cache::auto_file_bodies_from; off: every body in LMDB, copied into the socket).
enum class zero_copy_mode { automatic, on, off };

// Where objects are kept: an LMDB environment under `path`, or the process's memory (nothing
// survives a restart; `path` and `sync` are unused).
enum class cache_backend { lmdb, memory };

struct cache_settings {
  std::string path = "/var/cache/rangecache";
  std::uint64_t max_size = std::uint64_t{1} << 30;
  sync_mode sync = sync_mode::meta;
  // sync: none only: how often the data file is flushed; 0: never (the kernel writes dirty
  // pages back in its own time, as nginx's cache files are; a clean stop still flushes).
  std::chrono::milliseconds sync_interval{1000};
  cache_backend backend = cache_backend::lmdb;
  zero_copy_mode zero_copy = zero_copy_mode::automatic;
  // Heuristic freshness (RFC 9111 §4.2.2) of an answer without an explicit one: this share
  // of the time since its Last-Modified (0 turns it off), never more than heuristic_max.
  double heuristic_fraction = 0.1;
  std::chrono::seconds heuristic_max{86400};
  // Responses with Vary: how many variants of one URL are kept (the oldest go first).
  unsigned max_variants = 8;
};

// cache_range_requests, one field per option of ATS's cache_range_requests plugin, so a
// configuration written for ATS carries over option by option.
struct crr_options {
  bool enabled = false;
  bool ps_cachekey = false;
  bool consider_ims = false;
  std::string ims_header = "X-Crr-Ims";
  bool consider_ident = false;
  std::string ident_header = "X-Crr-Ident";
  bool no_modify_cachekey = false;
  bool verify_cacheability = false;
  bool cache_complete_responses = false;
};

// A size comparison such as `>2GiB` or `<=10MiB`.
struct size_condition {
  enum class op { lt, le, gt, ge } cmp = op::lt;
  std::uint64_t bytes = 0;
  bool matches(std::uint64_t value) const;
  // "<", "<=", ">", ">=" then a size (util::parse_size); strict, unlike ATS's inclusive `<N`.
  static std::optional<size_condition> parse(std::string_view text);
};

// Every condition given must hold for the rule to match (one rule can narrow by several
// things at once, where an ATS background_fetch rule names one).
struct bgf_match {
  std::optional<std::string> content_type;       // glob on the response type, `video/*`
  std::optional<size_condition> content_length;  // complete object's length
  std::optional<size_condition> range_length;    // the asked range's length (ATS parity)
  std::optional<std::string> user_agent;         // glob on User-Agent
  std::vector<util::cidr> client_ip;             // any of these
  std::optional<std::string> url_prefix;         // prefix of the cache URL
  std::optional<std::string> url_regex;          // ECMAScript regex, searched in the cache URL
  std::shared_ptr<const std::regex> url_regex_compiled;  // url_regex, compiled once at load
};

struct bgf_rule {
  bool include = true;
  bgf_match match;
  int line = 0;
};

struct background_fetch_settings {
  unsigned max_concurrent = 4;
  std::size_t queue_size = 256;
  milliseconds retry_backoff{30'000};
  bool consolidate = false;     // drop a URL's range objects once its complete object is stored
  std::string log;              // empty: no fetch log
  std::vector<bgf_rule> rules;  // first match wins; no match allows
};

// One node of a tier, as `host:port` ("10.0.0.11:8080", "[fd00::11]:8080").
struct parent_node {
  std::string host;  // IPv6 literals without brackets, ready to connect to
  std::uint16_t port = 0;
  std::string text;  // canonical "host:port" (lower case, IPv6 in brackets): hashed and in Via
};

// Which key places a request on the ring: the URL as the client sent it (Host + target), or
// the full cache key (range included when range caching applies).
enum class parent_hash { url, cache_key };

// `parents` of a remap rule: misses go to the node that owns their key by consistent hashing.
struct parents_settings {
  std::vector<parent_node> nodes;
  // Index in `nodes` of this node's own entry (a peer tier): when the ring picks it, this node
  // goes to the rule's `to` itself. None: a hierarchy (every node is a parent).
  std::optional<std::size_t> self;
  parent_hash hash = parent_hash::url;
  bool go_direct = true;  // every parent down: the origin (true) or a 502 (false)
  // A parent that failed (connect error, reset, timeout) is skipped this long.
  std::chrono::seconds mark_down{10};
};

// Block mode (`blocks:` on a rule): objects of at least min_object bytes are kept as aligned
// blocks of `size` bytes, fetched one block at a time and ahead of sequential readers.
struct block_settings {
  static constexpr std::uint64_t min_size = 64 * 1024;
  static constexpr std::uint64_t max_size = 64ull << 20;
  std::uint64_t size = 1 << 20;
  std::uint64_t min_object = 256ull << 20;  // 0: every object
  std::uint32_t read_ahead = 4;             // 0: off
};

struct remap_rule {
  // from: scheme://host[:port]/path-prefix
  std::string from_scheme = "http";
  std::string from_host;  // lower case, as in a Host header ("[::1]"); "*" = any host
  std::optional<std::uint16_t> from_port;
  std::string from_path = "/";
  // The rule's series in /metrics: the same for the same `from` across reloads. Set by the
  // proxy before the config is put in force; none until then.
  std::uint32_t metrics_series = ~std::uint32_t{0};
  // to: http://host[:port]/path-prefix (host is an IP literal or a name resolved at load)
  std::string to_scheme = "http";
  std::string to_host;  // IPv6 literals without brackets, ready to connect to
  std::uint16_t to_port = 80;
  std::string to_path = "/";
  bool preserve_host = false;
  crr_options cache_range_requests;
  bool background_fetch = false;
  std::optional<std::vector<bgf_rule>> background_fetch_rules;  // overrides the global rules
  std::vector<std::string> cache_key_headers;  // request headers added to the cache key
  // Targeted cache-control fields (RFC 9213) this cache obeys instead of Cache-Control, in
  // order of precedence, and removes from what clients get.
  std::vector<std::string> cache_control_fields = {"CDN-Cache-Control"};
  std::optional<parents_settings> parents;  // none: misses go to `to`
  std::optional<block_settings> blocks;     // none: objects are fetched whole
  std::string from_text, to_text;           // as written
  int line = 0;
};

struct server_settings {
  // Request line + headers; over it: 431. Signed URLs and long query strings need room (ATS
  // allows 128 KiB of header too).
  std::size_t header_limit = 128 * 1024;
  milliseconds header_timeout{10'000};   // whole request header must arrive in this
  milliseconds idle_timeout{60'000};     // keep-alive wait for the next request
  milliseconds send_timeout{60'000};     // a client that reads nothing for this long is cut
  milliseconds drain_timeout{30'000};    // SIGTERM: in-flight requests get this long
  std::size_t max_connections = 10'000;  // per worker
  // Concurrent misses for one key wait this long for the first one's fill before they go
  // upstream themselves; 0 turns collapsing off.
  milliseconds collapse_timeout{10'000};
};

struct upstream_settings {
  milliseconds connect_timeout{5'000};
  milliseconds read_timeout{30'000};  // first byte of the answer, and any gap while reading
  milliseconds idle_timeout{30'000};  // pooled keep-alive connections older than this are closed
  std::size_t max_idle_per_origin = 32;
};

// How each access-log line is written: rangecache's own line, one JSON object per line, or
// the Apache/nginx combined format followed by rangecache's fields.
enum class access_log_format { line, json, combined };

struct log_settings {
  std::string access;  // file path, "stdout", or empty for none
  access_log_format access_format = access_log_format::line;
  std::string error;  // file path; empty: stderr (the journal under systemd)
  std::string level = "info";
};

struct admin_settings {
  std::optional<listen_endpoint> listen;
  std::vector<util::cidr> purge_allow;
};

struct config {
  std::string source;  // file it came from
  std::vector<listen_endpoint> listen;
  unsigned workers = 0;  // 0 = one per core ("auto")
  cache_settings cache;
  background_fetch_settings background_fetch;
  std::vector<remap_rule> remap;
  server_settings server;
  upstream_settings upstream;
  log_settings log;
  admin_settings admin;
  // Clients whose X-Crr-Ims / X-Crr-Ident / X-Skip-Crr headers are honoured. Anyone else's
  // are removed: they can switch caching off or keep stale content fresh forever.
  std::vector<util::cidr> trusted;
  // This node's name in the Via of requests it sends to parents, when a rule's `parents`
  // gives no `self`. Default: the host name.
  std::string node_name;
};

// An IP literal and a port as `listen` and `admin.listen` take them ("127.0.0.1:9090",
// "[::1]:9090"): "" when `text` is one (then in `out`), else what was expected.
std::string parse_endpoint(std::string_view text, listen_endpoint& out);

// What is wrong, where: "rangecache.yaml:12:3: cache.max_size: expected a size like 10GiB".
class config_error : public std::runtime_error {
 public:
  config_error(std::string file, int line, int column, const std::string& what);
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  int column() const { return column_; }

 private:
  std::string file_;
  int line_;
  int column_;
};

// Read, validate, convert. Throws config_error (start-up only; never on a hot path).
config load_file(const std::string& path);
config load_string(std::string_view yaml, const std::string& name);

// The admin.listen of a config file, reading nothing else of it (`rangecache ctl`); nullopt
// when it has none. Throws config_error when the file cannot be read or the value is bad.
std::optional<listen_endpoint> admin_listen_of(const std::string& path);

// The settings a reload cannot apply (the listeners, the worker threads, the store and the
// admin listener are set up once, at start), named as in the file ("cache.path"), in that
// order, for those that differ between `running` and `next`.
std::vector<std::string> restart_only_changes(const config& running, const config& next);

}  // namespace rangecache::config
