// One client connection: read a request, answer it, repeat (strictly in order, so pipelined
// requests wait in the buffer until the answer before them is written).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "access_log.hpp"
#include "asio_fwd.hpp"
#include "hit_writer.hpp"
#include "rangecache/cache/freshness.hpp"
#include "rangecache/config/config.hpp"
#include "rangecache/fetch/block_fetch.hpp"
#include "rangecache/fetch/revalidate.hpp"
#include "rangecache/flight/cache_meta.hpp"
#include "rangecache/origin/client.hpp"
#include "rangecache/plan/answer_plan.hpp"
#include "rangecache/plan/block_plan.hpp"
#include "rangecache/plan/cache_request.hpp"
#include "rangecache/plan/fill_plan.hpp"
#include "rangecache/plan/range_hit.hpp"
#include "rangecache/proxy/remap.hpp"
#include "rangecache/range/multipart.hpp"
#include "worker.hpp"

namespace rangecache::proxy {

using request_parser = http::request_parser<http::buffer_body>;
using flight::field_values;
using flight::find_header;
using flight::freshen_with_304;
using flight::freshness_of;
using flight::make_meta;
using flight::view_request;
using flight::view_response;
using plan::cache_request;
using plan::cache_url_for;
namespace cache_result = plan::cache_result;

// How a request ended, for the loop that decides whether to read another one.
enum class outcome {
  keep_alive,  // the answer is complete and the connection may carry another request
  close,       // answer complete; close gracefully
  cut,         // a body was cut short or the client is gone: reset the connection
};

// Block mode: the object a request is answered from, read from its block index (or from a
// block of it, whose head is the object's).
struct block_object {
  cache::cached_object whole;  // the whole object's record: status 200, its length, freshness
  plan::block_identity id;
  std::uint64_t size = 0;   // block size
  std::uint64_t count = 0;  // blocks in the object
};

// Where one block's bytes come from for a request.
struct block_source {
  enum class from { stored, stream, changed, failed } status = from::failed;
  cache::cached_object stored;
  std::shared_ptr<const inflight_stream> stream;
};

// Where the head of an object not known as blocks came from: its first block's fetch, a
// stored block (whose freshness is then checked), or nowhere (the ordinary path).
enum class block_start { fetched, stored, ordinary };

// How a block walk ended: the whole answer sent, a cut connection, or nothing sent yet and
// the object changed (answer again from the new version) or a block could not be had.
enum class block_send { ok, cut, restart, failed };

class session {
 public:
  session(worker* w, tcp::socket socket);
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  awaitable<void> run();

  // Called on the worker's thread by begin_drain(): an idle connection closes now.
  void close_if_idle();
  // Called on the worker's thread by its idle sweep: a connection that has waited for its
  // next request since before `now` - server.idle_timeout closes.
  void close_if_idle_before(std::chrono::steady_clock::time_point now);

 private:
  enum class header_status { complete, closed, too_large, malformed, timeout };

  // One read into buffer_ that ends at `deadline`: nullopt when the deadline came first, 0
  // when the peer closed or failed, else the bytes read.
  awaitable<std::optional<std::size_t>> read_some_until(
      std::size_t want, std::chrono::steady_clock::time_point deadline);
  awaitable<header_status> read_header_block(std::size_t limit,
                                             std::chrono::milliseconds idle_timeout,
                                             std::chrono::milliseconds header_timeout);
  awaitable<outcome> handle(std::shared_ptr<const config::config> cfg, access_entry& log);
  awaitable<outcome> forward(const config::config& cfg, const config::remap_rule& rule,
                             request_authority authority, access_entry& log);
  // An answer of our own. `text` must outlive the call (a literal or a named string): the
  // caller awaits it at once.
  awaitable<outcome> send_error(unsigned status, std::string_view text, bool keep_alive,
                                access_entry& log);
  // Reads and drops the rest of the request body; false when it could not be read within
  // the header timeout or is larger than max_discarded_body (then the connection closes).
  awaitable<bool> discard_body();
  // Before closing a connection whose request body was not read: drain it for a moment.
  awaitable<void> linger();
  // The upstream request for the client's one: end-to-end headers, Host, Via, XFF.
  origin::request upstream_request(const config::remap_rule& rule,
                                   const request_authority& authority);
  // A request without a body to the rule's origin (counted in the stats).
  awaitable<origin::answer> ask_origin(const config::config& cfg, const config::remap_rule& rule,
                                       origin::request up, bool head);
  awaitable<origin::answer> ask_origin_itself(const config::config& cfg,
                                              const config::remap_rule& rule, origin::request up,
                                              bool head);
  // Under a rule's `parents`: the request goes to the parent that owns its key, or the next
  // one on the ring when that one fails (marked down), or the origin after them
  // (go_direct), or nowhere (a 502). See parent_route.cpp.
  void begin_route(const config::config& cfg, const config::remap_rule& rule,
                   const request_authority& authority);
  awaitable<origin::answer> ask_tier(const config::config& cfg, const config::remap_rule& rule,
                                     origin::request up, bool head);
  awaitable<origin::answer> ask_parent(const config::config& cfg, const config::parent_node& node,
                                       origin::request up, bool head);
  // The client's request as a parent gets it: the client's target and Host, our Via entry.
  origin::request parent_request(const config::config& cfg, const config::remap_rule& rule,
                                 const origin::request& up);
  // Whether this node runs background fetches (and so revalidations) of the current URL.
  bool fetches_here(const config::remap_rule& rule);
  // A background revalidation goes to the URL's owner when that is a parent.
  void route_revalidation(const config::remap_rule& rule, fetch::revalidation& r);
  // A request made for the cache's sake (a revalidation, a block) goes to the URL's owner
  // when that is a parent that is up: its host, port, target and Host/Via fields.
  void route_to_owner(const config::remap_rule& rule, std::string& host, std::uint16_t& port,
                      std::string& target,
                      std::vector<std::pair<std::string, std::string>>& headers);
  // A request with the client's body.
  awaitable<origin::answer> send_with_body(const config::config& cfg,
                                           const config::remap_rule& rule, origin::request up,
                                           bool head);
  // Counts an upstream request sent at `sent` and, when it was answered, how long the
  // answer's head took.
  void count_origin_request(const origin::answer& a, std::chrono::steady_clock::time_point sent);
  // No answer from the origin: 502/504, a 400 for a malformed client body, or a cut.
  awaitable<outcome> upstream_failed(const origin::answer& a, const config::remap_rule& rule,
                                     access_entry& log);
  // The origin broke off mid-body after `read` bytes: a 502 while the head is still ours,
  // else a cut connection.
  awaitable<outcome> origin_cut(const config::remap_rule& rule, error_code ec, std::uint64_t read,
                                bool head_sent, std::uint64_t sent, access_entry& log);
  // A successful unsafe request removes what is stored for its URL and the same-origin
  // URLs its answer names.
  awaitable<void> invalidate_after(const config::remap_rule& rule,
                                   const request_authority& authority, const origin::answer& a);
  // Pass-through of the origin's answer to the client.
  awaitable<outcome> pass_answer(const config::config& cfg, const config::remap_rule& rule,
                                 origin::answer& a, bool has_body, access_entry& log);
  // The cache's view of the request: URL, keys, ranges, trusted control headers. false: a
  // Range in another unit than bytes (then it passes through).
  bool describe_request(const config::config& cfg, const config::remap_rule& rule,
                        const request_authority& authority, cache_request& cr);
  bool read_ranges(cache_request& cr);
  // What a stored object does for this request: answer it (serve), answer it stale and be
  // revalidated in the background (serve_stale), be revalidated first, or nothing (a range
  // object that cannot settle the request's If-Range).
  enum class stored_verdict { serve, serve_stale, revalidate, unusable };
  // What the object's freshness and the request's directives say, nothing else.
  stored_verdict freshness_verdict(const cache_request& cr, const cache::cached_object& obj,
                                   std::int64_t now);
  stored_verdict judge_range_object(const cache_request& cr, const cache::cached_object& robj,
                                    std::int64_t now);
  // A stored object that is not served as it is: served stale while a background
  // revalidation starts (serve_stale), or revalidated first.
  awaitable<outcome> use_stale(const config::config& cfg, const config::remap_rule& rule,
                               const request_authority& authority, const cache_request& cr,
                               cache::cached_object& obj, stored_verdict verdict,
                               access_entry& log);
  // Every upstream request of the cacheable path passes here: with only-if-cached the client
  // gets a 504 instead (RFC 9111 §5.2.1.7).
  awaitable<outcome> fetch_or_refuse(const config::config& cfg, const config::remap_rule& rule,
                                     const request_authority& authority, const cache_request& cr,
                                     std::optional<cache::cached_object> stale, access_entry& log);
  awaitable<outcome> not_in_cache(access_entry& log);
  // Starts the background revalidation of `stale` unless one of its key (or a fill) is
  // already under way.
  void revalidate_in_background(const config::remap_rule& rule, const request_authority& authority,
                                const cache_request& cr, const cache::cached_object& stale);
  // The client's headers for a request made for the cache's own sake: less Range, the
  // conditionals and credentials.
  std::vector<std::pair<std::string, std::string>> headers_for_cache(
      const config::remap_rule& rule, const request_authority& authority);
  // The revalidation of `stale` got no answer: the stale object when it may be served, 504
  // when it must not be (RFC 9111 §5.2.2.2), else the failure as for a miss.
  awaitable<outcome> revalidation_failed(const config::config& cfg, const config::remap_rule& rule,
                                         const cache_request& cr, const cache::cached_object& stale,
                                         const origin::answer& a, access_entry& log);
  // The revalidation of `stale` got `status`: true when the stale object answers instead
  // (a 5xx within its stale-if-error window).
  bool stale_instead_of(const cache_request& cr, const cache::cached_object& stale,
                        unsigned status);
  awaitable<outcome> serve_range_hit(const config::config& cfg, const config::remap_rule& rule,
                                     const request_authority& authority, const cache_request& cr,
                                     access_entry& log);
  // A miss: a fill of this object already under way to stream from (`stream`), a leader
  // that finished (`finished`: look again), or neither (go upstream, leading the key when
  // this request is the first).
  // Vary (cache_vary.cpp): a lookup that follows a vary index to the request's variant, the
  // keys an answer is stored under, and what follows storing it.
  bool find_stored(cache_request& cr, bool range_key, cache::cached_object& out);
  bool select_stored_variant(cache_request& cr, const cache::object_meta& index);
  const cache_request& keys_for_answer(const cache_request& cr, plan::fill_plan& fp,
                                       cache_request& scratch);
  void after_stored(const config::config& cfg, const cache_request& asked,
                    const cache_request& stored, const plan::fill_plan& fp);
  cache::fill begin_vary_index(const cache_request& asked, const cache_request& stored,
                               const plan::fill_plan& fp);
  void commit_vary_index(cache::fill& index, const plan::fill_plan& fp);
  awaitable<flight::follow_result> wait_for_fill(const config::config& cfg, const cache_request& cr,
                                                 bool complete_first, int round);
  awaitable<outcome> serve_cacheable(const config::config& cfg, const config::remap_rule& rule,
                                     request_authority authority, access_entry& log);
  // Block mode (block_flow.cpp, block_fetches.cpp). `index`: the URL's block index, when one
  // was found; without one the object's first block is asked for first.
  bool blocks_first(const config::remap_rule& rule, const cache_request& cr, bool complete_first);
  awaitable<outcome> serve_blocks(const config::config& cfg, const config::remap_rule& rule,
                                  const request_authority& authority, const cache_request& cr,
                                  const cache::cached_object* index, access_entry& log);
  // The object's head learnt from its first block, fetched (or found) for this request;
  // `ordinary` when the object is not kept as blocks.
  awaitable<block_start> start_block_object(const config::config& cfg,
                                            const config::remap_rule& rule,
                                            const request_authority& authority,
                                            const cache_request& cr, block_object& bo);
  // One answer from the blocks of `bo`; nullopt when the object changed before anything was
  // sent (answer again). `refresh`: the index is stale, the first block comes from the origin.
  awaitable<std::optional<outcome>> answer_from_blocks(
      const config::config& cfg, const config::remap_rule& rule, const request_authority& authority,
      const cache_request& cr, const block_object& bo, bool refresh, access_entry& log);
  awaitable<block_send> send_blocks(const config::config& cfg, const config::remap_rule& rule,
                                    const request_authority& authority, const cache_request& cr,
                                    const plan::answer_plan& answer, const block_object& bo,
                                    bool refresh, bool missing);
  awaitable<send_status> send_block(const block_source& src, std::uint64_t offset,
                                    std::uint64_t length, std::string_view prefix,
                                    std::chrono::milliseconds timeout);
  bool all_blocks_stored(const cache_request& cr, const plan::answer_plan& answer,
                         const block_object& bo);
  awaitable<block_source> obtain_block(const config::config& cfg, const config::remap_rule& rule,
                                       const request_authority& authority, const cache_request& cr,
                                       const block_object& bo, std::uint64_t index, bool refresh);
  // The URL's block fetches have seen another version than the one `bo` is.
  bool version_changed(const cache_request& cr, const block_object& bo);
  // Block `k` of `bo` is stored under `key` (its record in `out`).
  bool stored_block(const std::string& key, const block_object& bo, std::uint64_t k,
                    cache::cached_object& out);
  // Waits on the fetch of block `k` (under `key`) until `usable` accepts its fill or it
  // ends, starting it first when no one has (then `own`, if given, is its task).
  awaitable<flight::follow_result> follow_block_fetch(
      const config::config& cfg, const config::remap_rule& rule, const request_authority& authority,
      const cache_request& cr, std::string key, std::uint64_t k,
      std::optional<plan::block_identity> expect, bool refresh,
      std::function<bool(const inflight_stream&)> usable, std::shared_ptr<fetch::block_task>* own);
  // Starts the fetch of a block whose key this session just joined as leader.
  std::shared_ptr<fetch::block_task> spawn_block_fetch(const config::remap_rule& rule,
                                                       const request_authority& authority,
                                                       const cache_request& cr, std::uint64_t index,
                                                       std::optional<plan::block_identity> expect,
                                                       bool refresh, bool ahead);
  // A sequential reader gets the next blocks fetched ahead of it.
  void read_ahead(const config::remap_rule& rule, const request_authority& authority,
                  const cache_request& cr, const block_object& bo, const plan::answer_plan& answer);
  bool start_read_ahead(const config::remap_rule& rule, const request_authority& authority,
                        const cache_request& cr, const block_object& bo, std::uint64_t index);
  void count_read_ahead_use(const std::string& block_key);
  // Blocks first..last, which this answer will need, are fetched unless stored or under way.
  void fetch_ahead_in_answer(const config::remap_rule& rule, const request_authority& authority,
                             const cache_request& cr, const block_object& bo, std::uint64_t first,
                             std::uint64_t last);
  // The plan of an answer from a stored object's record, as serve_object sends it.
  // `replayed`: the record's rendered fields (cached_object::replayed), when they are those of
  // `meta`; empty: rendered from `meta`.
  plan::answer_plan plan_stored_answer(const cache_request& cr, const cache::object_meta& meta,
                                       const char* label, bool keep,
                                       std::optional<range::multipart_boundary>& boundary,
                                       std::string_view replayed = {});
  // Answers from a stored object (fresh, allowed stale, or just revalidated).
  // With `progress`, the object is a fill still being written (read-while-write). A fresh
  // hit, whose object is as its lookup read it, passes its `replayed` on.
  awaitable<outcome> serve_object(const config::config& cfg, const cache_request& cr,
                                  const cache::cached_object& obj, const char* label,
                                  access_entry& log, const cache::fill_progress* progress = nullptr,
                                  std::string_view replayed = {});
  // Carries out an answer plan: its head, then its parts from the stored object.
  awaitable<send_status> send_answer(const plan::answer_plan& answer, const cache::object_ref& ref,
                                     std::chrono::milliseconds timeout,
                                     const cache::fill_progress* progress);
  // Miss or revalidation: one upstream request, its answer streamed to the client and, when
  // storable, into the store. `stale` is the object being revalidated, if any.
  awaitable<outcome> fetch(const config::config& cfg, const config::remap_rule& rule,
                           const request_authority& authority, const cache_request& cr,
                           std::optional<cache::cached_object> stale, access_entry& log);
  void add_validators(origin::request& up, const cache::object_meta& stored);
  void head_updates_stored(const config::config& cfg, const cache_request& cr,
                           const cache::cached_object& stored, origin::answer& a,
                           const cache::exchange_times& times);
  // A 304 to a revalidation: the stored object freshened and served, or (when the 304 is
  // about another version) the request repeated without validators.
  awaitable<outcome> not_modified(const config::config& cfg, const config::remap_rule& rule,
                                  const request_authority& authority, const cache_request& cr,
                                  origin::answer a, origin::request up, cache::cached_object obj,
                                  cache::exchange_times times, access_entry& log);
  // The rest of fetch once the origin's head is read: the answer goes to the client and,
  // when storable, into the store. `revalidating`: it replaces a stale object.
  awaitable<outcome> relay(const config::config& cfg, const config::remap_rule& rule,
                           const request_authority& authority, const cache_request& cr,
                           origin::answer a, cache::exchange_times times, bool revalidating,
                           access_entry& log);
  plan::fill_plan plan_for(const cache_request& cr, const config::remap_rule& rule,
                           origin::answer& a, access_entry& log);
  // The fill the plan allows (inactive when none), with its record in `head_meta`, led and
  // published for requests waiting on its key.
  cache::fill begin_store(const config::config& cfg, const cache_request& cr,
                          const plan::fill_plan& fp, origin::answer& a,
                          const cache::exchange_times& times, cache::object_meta& head_meta,
                          access_entry& log);
  void publish_fill(const cache_request& cr, const std::string& store_key, const cache::fill& fill,
                    const cache::object_meta& head_meta, bool length_known);
  // The client's head for an answer relayed from the origin; returns keep-alive.
  bool client_head_for_fill(http::response<http::buffer_body>& res, origin::answer& a,
                            const plan::fill_plan& fp, bool body_expected, access_entry& log);
  bool finish_log(access_entry& log);
  // The request's line in the access log, when there is one, and its metrics.
  void write_log(access_entry& log);
  void record_metrics(const access_entry& log);
  // The request fields only some formats write (Range, Referer, User-Agent), read at the
  // end, once nothing removes them any more.
  void note_request_fields(access_entry& log);
  // PURGE of a URL (every object of it) or, with a Range, of that one range object; only
  // from admin.purge_allow.
  awaitable<outcome> purge(const config::config& cfg, const config::remap_rule& rule,
                           request_authority authority, access_entry& log);
  // The collapsing entry this session leads, released once its fill is decided.
  void release_inflight();
  // Queues a background fetch of the complete object when the rule and its filters allow.
  void offer_background_fetch(const config::config& cfg, const config::remap_rule& rule,
                              const request_authority& authority, const cache_request& cr,
                              std::string_view content_type, std::optional<std::uint64_t> total,
                              std::uint64_t range_length);
  void reset_connection();

  worker* w_;
  beast::tcp_stream stream_;
  asio::steady_timer header_timer_;  // the header timeout, raced against each read
  beast::flat_buffer buffer_;
  std::size_t header_size_ = 0;  // of the request head at the start of buffer_, with its CRLFs
  // The cache's view of the request being served (serve_cacheable), kept with the connection
  // so that its strings are reused.
  cache_request request_;
  std::optional<request_parser> parser_;
  std::unique_ptr<char[]> body_buf_;
  std::string client_ip_;
  std::optional<util::ip_address> client_addr_;  // parsed once, for the per-request checks
  std::string normalized_target_;                // the request's path after dot-segment removal
  std::string ignored_range_;  // an invalid Range removed from the request, for the log
  cache::cached_object lookup_full_, lookup_range_;
  std::string inflight_key_;
  std::string extra_inflight_key_;  // the complete object's key, led for an origin 200
  bool busy_ = false;
  // While waiting for a new request: when the idle timeout closes the connection (the
  // worker's idle sweep looks), else never. One timer per worker instead of one per read.
  std::chrono::steady_clock::time_point idle_until_ = std::chrono::steady_clock::time_point::max();
  // Where the current request's upstream answer comes from, and how the access log names it
  // ("origin", "parent:10.0.0.12:8080"; empty: no upstream request).
  origin::endpoint upstream_;
  std::string upstream_label_;
  // Under `parents`: the URL's key (url hash), the key the request is placed by on the ring
  // (the URL's, or the cache key), the client's target and Host, and whether the request came
  // from a tier node (its Via names one) and so never goes to a parent again.
  std::string url_key_, route_key_, client_target_, client_host_;
  bool from_tier_ = false;
  bool looped_ = false;     // its Via names this very node: it has come back through us
  bool no_parent_ = false;  // every parent was down or failed, and go_direct is off
  // Block mode: where this connection's last block-mode request ended, the blocks it has
  // had fetched ahead (called off when it closes, unless others stream from them), and
  // whether its reader was recognised by address (a connection per request: then closing
  // is no sign it went away).
  plan::reader_mark last_read_;
  std::vector<std::shared_ptr<fetch::block_task>> read_ahead_tasks_;
  bool read_by_address_ = false;
};

// Owns the session for the life of the connection.
awaitable<void> run_session(worker* w, tcp::socket socket);

inline constexpr std::size_t relay_buffer_size = 64 * 1024;

origin::endpoint origin_of(const config::remap_rule& rule);
// How long a request waits for a block fetch to have its answer's head.
inline std::chrono::milliseconds block_wait(const config::config& cfg) {
  return cfg.upstream.connect_timeout + cfg.upstream.read_timeout;
}
// The largest request body read and dropped to keep a connection after an early answer.
inline constexpr std::uint64_t max_discarded_body = 1024 * 1024;

// RFC 9110 §6.4.1: 1xx, 204 and 304 answers never have a body.
inline bool status_has_body(unsigned status) {
  return !(status < 200 || status == 204 || status == 304);
}

// Clients (config `trusted`) whose control headers (X-Crr-Ims, ...) are honoured.
inline bool trusted_client(const config::config& cfg, const std::optional<util::ip_address>& ip) {
  return ip && util::any_contains(cfg.trusted, *ip);
}

}  // namespace rangecache::proxy
