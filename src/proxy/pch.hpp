// Precompiled for the network modules only: Beast and Asio dominate their build time.
#pragma once
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
