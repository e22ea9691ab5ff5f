# Copies the API documentation page (GET /docs) beside k9: web/api-docs/index.html and the two
# Swagger UI files it loads, from the npm package scripts/install-deps.sh installs there. Run
# at every build (cmake -P; files copied only when they differ). Without the package the page
# is left out and k9 answers GET /docs with 404 (the document, GET /openapi.json, needs none).
# Usage: cmake -DSRC=<web/api-docs> -DOUT=<build>/api-docs -P CopyApiDocs.cmake
set(ui "${SRC}/node_modules/swagger-ui-dist")
if(EXISTS "${ui}/swagger-ui-bundle.js" AND EXISTS "${ui}/swagger-ui.css")
  file(MAKE_DIRECTORY "${OUT}")
  foreach(f "${SRC}/index.html" "${ui}/swagger-ui-bundle.js" "${ui}/swagger-ui.css" "${ui}/LICENSE")
    get_filename_component(name "${f}" NAME)
    execute_process(COMMAND "${CMAKE_COMMAND}" -E copy_if_different "${f}" "${OUT}/${name}")
  endforeach()
else()
  file(REMOVE "${OUT}/index.html")
endif()
