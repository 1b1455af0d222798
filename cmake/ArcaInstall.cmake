# Installation: headers, libraries, tools, pkg-config file and the CMake package, so that
# `pkg-config --cflags --libs arca` and `find_package(Arca)` work out of tree.
include(CMakePackageConfigHelpers)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/arca DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# The real Intel SGX Root CA and AMD ARKs (pinned by default) and AMD ASKs/ASVKs (intermediates)
# for hardware evidence; the verifier's default roots directory (ARCA_HW_ROOTS_DIR).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/share/roots/ DESTINATION ${CMAKE_INSTALL_DATADIR}/arca/roots
  FILES_MATCHING PATTERN "*.pem")

set(ARCA_INSTALL_TARGETS)
foreach(t arca arca_verify arca_enclave arca_cli arca_runner arca_edger)
  if(TARGET ${t})
    list(APPEND ARCA_INSTALL_TARGETS ${t})
  endif()
endforeach()
install(TARGETS ${ARCA_INSTALL_TARGETS} EXPORT ArcaTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT ArcaTargets NAMESPACE Arca:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Arca)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/ArcaConfig.cmake.in
  ${CMAKE_BINARY_DIR}/ArcaConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Arca)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/ArcaConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/ArcaConfig.cmake ${CMAKE_BINARY_DIR}/ArcaConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/ArcaEnclave.cmake ${PROJECT_SOURCE_DIR}/cmake/arca_enclave.map
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Arca)

foreach(pc arca arca_verify)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/${pc}.pc.in ${CMAKE_BINARY_DIR}/${pc}.pc @ONLY)
  install(FILES ${CMAKE_BINARY_DIR}/${pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()

# arcad's systemd unit, sysusers.d and tmpfiles.d entries (packaging/systemd). The unit names
# the installed paths; `systemctl daemon-reload && systemd-sysusers && systemctl enable --now
# arcad` after `make install` (docs/arcad.md).
set(ARCA_SYSTEMD_UNITDIR lib/systemd/system CACHE STRING "systemd unit directory (relative to the prefix)")
# Made at install time, so the unit names the prefix actually installed to (cmake --install
# --prefix, DESTDIR staging for packages).
install(CODE "
  set(ARCA_SBINDIR \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_SBINDIR}\")
  set(ARCA_RUNNER \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/arca-runner\")
  set(ARCA_DOCDIR \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DOCDIR}\")
  set(unit \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${ARCA_SYSTEMD_UNITDIR}/arcad.service\")
  message(STATUS \"Installing: \${unit}\")
  configure_file(\"${PROJECT_SOURCE_DIR}/packaging/systemd/arcad.service.in\" \"\${unit}\" @ONLY)
")
install(FILES ${PROJECT_SOURCE_DIR}/packaging/systemd/arcad.sysusers
  DESTINATION lib/sysusers.d RENAME arcad.conf)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/systemd/arcad.tmpfiles
  DESTINATION lib/tmpfiles.d RENAME arcad.conf)
install(FILES ${PROJECT_SOURCE_DIR}/docs/arcad.md DESTINATION ${CMAKE_INSTALL_DOCDIR} OPTIONAL)
