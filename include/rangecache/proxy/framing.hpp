// Request smuggling guards (RFC 9112 §2.2, §5, §6.1, §6.3) on the raw header block, checked
// before Beast sees it: Boost 1.81's parser accepts some of these (Content-Length after a
// non-chunked Transfer-Encoding, for one; Beast rejects that only from its v361).
#pragma once

#include <string_view>

namespace rangecache::proxy {

enum class framing_verdict {
  ok,
  bare_cr,                 // CR not followed by LF
  bare_lf,                 // LF not preceded by CR
  obsolete_line_folding,   // a field line that starts with SP or HTAB
  space_before_colon,      // "Name : value"
  bad_content_length,      // not digits, or conflicting duplicates
  content_length_with_te,  // both framings at once
  te_not_chunked_last,     // the last transfer coding is not chunked
  te_in_http10,            // Transfer-Encoding in an HTTP/1.0 request
  te_not_implemented,      // a coding before chunked (gzip, chunked): we only speak chunked
};

// `block` is the request line and field lines up to and including the empty line.
framing_verdict check_request_framing(std::string_view block);

const char* to_string(framing_verdict v);

// The answer to a request the verdict refuses: 501 for a transfer coding we do not
// implement (RFC 9112 §6.1), 400 for the rest.
unsigned status_of(framing_verdict v);

}  // namespace rangecache::proxy
