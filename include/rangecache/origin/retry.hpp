// When a request may go out on a pooled connection, and when a failed try is repeated.
// Plain decisions, kept apart from the sockets so that a table test can hold them.
//
// A pooled connection can be closed by the origin at any moment (many close idle ones after
// a few seconds, some drop one now and then): a request sent just as it closes fails
// without an answer. Repeating it on a fresh connection is right only when doing it twice is
// harmless — the method is idempotent (RFC 9110 §9.2.2) — and when its body can be sent
// again (none, or held in memory). Anything else could have been processed by the origin
// before the connection died, so it is never sent on a pooled connection in the first
// place: it gets a fresh one, whose failure is then a real one.
#pragma once

#include <string_view>

namespace rangecache::origin {

// GET, HEAD, OPTIONS, TRACE, PUT, DELETE: the methods RFC 9110 defines as idempotent.
bool is_idempotent(std::string_view method);

// True when the request may be repeated after a failure, and so may use a pooled connection.
bool may_reuse(std::string_view method, bool body_replayable);

// Where a try failed.
enum class failure_at { connect, request, response_head };

// How it failed: the origin closed or reset the connection (`closed`), or something else
// (a timeout, which may mean the origin is working on it; an answer that does not parse).
struct failed_try {
  bool reused = false;  // the connection came from the pool
  failure_at at = failure_at::connect;
  bool closed = false;
};

// True when the try should be repeated once on a fresh connection: it was a pooled one
// that the origin had closed, and nothing of the answer arrived.
bool worth_retry(const failed_try& f);

}  // namespace rangecache::origin
