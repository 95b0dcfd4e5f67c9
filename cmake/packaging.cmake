# The Debian package: `cpack -G DEB --config build/CPackConfig.cmake` (or `cmake --build build
# --target package`) packs the built binary with its configuration, systemd unit, logrotate
# file and man page into rangecache_<version>_amd64.deb. It packs what is built: it does
# not build anything itself (CMAKE_SKIP_INSTALL_ALL_DEPENDENCY), so it takes seconds.

set(pkg_dir ${PROJECT_BINARY_DIR}/packaging)

# The packaged unit is config/rangecache.service with the packaged binary's path and the
# system user postinst creates, instead of a dynamic one: the store in /var/cache/rangecache
# then keeps one owner across upgrades. A unit edited so that these no longer apply stops
# the configure step rather than shipping a wrong unit.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             ${PROJECT_SOURCE_DIR}/config/rangecache.service)
file(READ ${PROJECT_SOURCE_DIR}/config/rangecache.service unit)
foreach(needle "/usr/local/bin/rangecache" "/usr/local/share/doc/" "DynamicUser=yes")
  string(FIND "${unit}" "${needle}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "config/rangecache.service no longer has '${needle}': update "
                        "cmake/packaging.cmake, which rewrites it for the package")
  endif()
endforeach()
string(REPLACE "/usr/local/" "/usr/" unit "${unit}")
string(REPLACE "DynamicUser=yes" "User=rangecache\nGroup=rangecache" unit "${unit}")
string(REGEX REPLACE "^# systemd unit for rangecache\\.[^\n]*\n#[^\n]*\n"
       "# systemd unit for rangecache, installed by its Debian package.\n" unit "${unit}")
file(CONFIGURE OUTPUT ${pkg_dir}/rangecache.service CONTENT "${unit}" @ONLY)

# Man pages are installed compressed (Debian policy); -n keeps the archive reproducible.
add_custom_command(
  OUTPUT ${pkg_dir}/rangecache.8.gz
  COMMAND gzip -9n -c ${PROJECT_SOURCE_DIR}/man/rangecache.8 > ${pkg_dir}/rangecache.8.gz
  DEPENDS ${PROJECT_SOURCE_DIR}/man/rangecache.8
  COMMENT "Compressing the man page")
add_custom_target(man_page_gz ALL DEPENDS ${pkg_dir}/rangecache.8.gz)

# Everything is in one component, so that only these files go into the package.
install(TARGETS rangecache RUNTIME DESTINATION bin COMPONENT rangecache)
install(FILES ${PROJECT_SOURCE_DIR}/config/rangecache.yaml DESTINATION /etc/rangecache
        COMPONENT rangecache)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/rangecache.logrotate DESTINATION /etc/logrotate.d
        RENAME rangecache COMPONENT rangecache)
install(FILES ${pkg_dir}/rangecache.service DESTINATION /lib/systemd/system
        COMPONENT rangecache)
install(FILES ${pkg_dir}/rangecache.8.gz DESTINATION share/man/man8 COMPONENT rangecache)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION share/doc/rangecache
        COMPONENT rangecache)

set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
set(CPACK_GENERATOR DEB)
set(CPACK_INSTALL_CMAKE_PROJECTS "${PROJECT_BINARY_DIR};rangecache;rangecache;/")
set(CPACK_PACKAGE_NAME rangecache)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_CONTACT "rangecache maintainers <root@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "caching reverse proxy for byte-range requests")
# The summary above is its first line. One string: a CMake list would join with ';'.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "rangecache caches each single-range GET as an object of its own, fetches complete objects
in the background after range misses, serves every range of a stored complete object, and
collapses concurrent misses into one origin request. Objects live in an LMDB store bounded
in size. It runs as a systemd service and is controlled with rangecache ctl.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The libraries the binary links are found by dpkg-shlibdeps and added to these.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, init-system-helpers (>= 1.54~)")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "logrotate")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/debian/postinst ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
    ${PROJECT_SOURCE_DIR}/packaging/debian/postrm ${PROJECT_SOURCE_DIR}/packaging/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
