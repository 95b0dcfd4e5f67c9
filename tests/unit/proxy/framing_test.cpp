#include "rangecache/proxy/framing.hpp"

#include <gtest/gtest.h>

#include <string>

using rangecache::proxy::check_request_framing;
using rangecache::proxy::framing_verdict;
using rangecache::proxy::status_of;
using rangecache::proxy::to_string;

namespace {

framing_verdict check(const std::string& fields, const std::string& line = "POST / HTTP/1.1") {
  return check_request_framing(line + "\r\n" + fields + "\r\n");
}

}  // namespace

TEST(Framing, PlainRequestsPass) {
  EXPECT_EQ(check("Host: a\r\n", "GET / HTTP/1.1"), framing_verdict::ok);
  EXPECT_EQ(check("Host: a\r\nContent-Length: 5\r\n"), framing_verdict::ok);
  EXPECT_EQ(check("Host: a\r\nTransfer-Encoding: chunked\r\n"), framing_verdict::ok);
  EXPECT_EQ(check("Host: a\r\nTransfer-Encoding: chunked;x=1\r\n"), framing_verdict::ok);
}

TEST(Framing, CodingsBeforeChunkedAreNotImplemented) {
  // RFC 9112 §6.1: a transfer coding the server does not understand is a 501.
  EXPECT_EQ(check("Transfer-Encoding: gzip, chunked\r\n"), framing_verdict::te_not_implemented);
  EXPECT_EQ(check("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"),
            framing_verdict::te_not_implemented);
  EXPECT_EQ(check("Transfer-Encoding: identity, chunked\r\n"), framing_verdict::te_not_implemented);
  EXPECT_EQ(check("Transfer-Encoding: deflate , CHUNKED\r\n"), framing_verdict::te_not_implemented);
  // Not ending in chunked stays a 400: the body length cannot be known at all.
  EXPECT_EQ(check("Transfer-Encoding: gzip\r\n"), framing_verdict::te_not_chunked_last);
}

TEST(Framing, VerdictStatus) {
  EXPECT_EQ(status_of(framing_verdict::te_not_implemented), 501u);
  for (auto v : {framing_verdict::bare_cr, framing_verdict::bare_lf,
                 framing_verdict::obsolete_line_folding, framing_verdict::space_before_colon,
                 framing_verdict::bad_content_length, framing_verdict::content_length_with_te,
                 framing_verdict::te_not_chunked_last, framing_verdict::te_in_http10})
    EXPECT_EQ(status_of(v), 400u) << to_string(v);
}

TEST(Framing, IdenticalDuplicateContentLengthIsAccepted) {
  EXPECT_EQ(check("Content-Length: 5\r\nContent-Length: 5\r\n"), framing_verdict::ok);
  EXPECT_EQ(check("Content-Length: 5, 5\r\n"), framing_verdict::ok);
  EXPECT_EQ(check("Content-Length: 005\r\nContent-Length: 5\r\n"), framing_verdict::ok);
}

TEST(Framing, ConflictingOrInvalidContentLength) {
  EXPECT_EQ(check("Content-Length: 5\r\nContent-Length: 6\r\n"),
            framing_verdict::bad_content_length);
  EXPECT_EQ(check("Content-Length: 5, 6\r\n"), framing_verdict::bad_content_length);
  EXPECT_EQ(check("Content-Length: -1\r\n"), framing_verdict::bad_content_length);
  EXPECT_EQ(check("Content-Length: +5\r\n"), framing_verdict::bad_content_length);
  EXPECT_EQ(check("Content-Length: 0x10\r\n"), framing_verdict::bad_content_length);
  EXPECT_EQ(check("Content-Length: \r\n"), framing_verdict::bad_content_length);
  EXPECT_EQ(check("Content-Length: 99999999999999999999999\r\n"),
            framing_verdict::bad_content_length);
}

TEST(Framing, ContentLengthWithTransferEncodingInEitherOrder) {
  EXPECT_EQ(check("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"),
            framing_verdict::content_length_with_te);
  EXPECT_EQ(check("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"),
            framing_verdict::content_length_with_te);
  // Boost 1.81 lets this one through: a non-chunked coding then Content-Length.
  EXPECT_EQ(check("Transfer-Encoding: gzip\r\nContent-Length: 5\r\n"),
            framing_verdict::content_length_with_te);
}

TEST(Framing, TransferEncodingMustEndInChunked) {
  EXPECT_EQ(check("Transfer-Encoding: gzip\r\n"), framing_verdict::te_not_chunked_last);
  EXPECT_EQ(check("Transfer-Encoding: chunked, gzip\r\n"), framing_verdict::te_not_chunked_last);
  EXPECT_EQ(check("Transfer-Encoding: chunked, chunked\r\n"), framing_verdict::te_not_chunked_last);
  EXPECT_EQ(check("Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n"),
            framing_verdict::te_not_chunked_last);
  EXPECT_EQ(check("Transfer-Encoding: xchunked\r\n"), framing_verdict::te_not_chunked_last);
  EXPECT_EQ(check("Transfer-Encoding: CHUNKED\r\n"), framing_verdict::ok);
}

TEST(Framing, TransferEncodingInHttp10) {
  EXPECT_EQ(check("Transfer-Encoding: chunked\r\n", "POST / HTTP/1.0"),
            framing_verdict::te_in_http10);
}

TEST(Framing, LineBreaksAndFolding) {
  EXPECT_EQ(check_request_framing("GET / HTTP/1.1\r\nHost: a\rX: y\r\n\r\n"),
            framing_verdict::bare_cr);
  EXPECT_EQ(check_request_framing("GET / HTTP/1.1\r\nHost: a\nX: y\r\n\r\n"),
            framing_verdict::bare_lf);
  EXPECT_EQ(check("Host: a\r\nX-Long: one\r\n two\r\n"), framing_verdict::obsolete_line_folding);
  EXPECT_EQ(check("Host: a\r\nX-Long: one\r\n\ttwo\r\n"), framing_verdict::obsolete_line_folding);
  EXPECT_EQ(check("Content-Length : 5\r\n"), framing_verdict::space_before_colon);
  EXPECT_EQ(check("Transfer-Encoding\t: chunked\r\n"), framing_verdict::space_before_colon);
}
