#pragma once

// Everything the integration tests use from tests/support, in one include.

#include "assertions.hpp"
#include "byteranges.hpp"
#include "content.hpp"
#include "files.hpp"
#include "http_client.hpp"
#include "json.hpp"
#include "origin.hpp"
#include "proc_status.hpp"
#include "process.hpp"
#include "sanitizer_report.hpp"
#include "sha256.hpp"
#include "temp_dir.hpp"
