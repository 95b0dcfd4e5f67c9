// Asio and Beast are compiled once here (BOOST_*_SEPARATE_COMPILATION): every other network
// file includes only their declarations, which roughly halves the build time.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
