#pragma once
// /openapi/v3: an index of group versions and one OpenAPI 3.0 document per group version, made
// from the registry (paths, verbs, GVKs) and the bundled schemas. kubectl needs the PATCH
// operations' fieldValidation parameter to validate on the server, and `explain` reads the schemas.

#include "engine/api/registry.h"
#include "engine/api/schemas.h"

#include <map>
#include <mutex>
#include <string>

namespace cd::api {

class OpenApi {
public:
    OpenApi(const Registry &registry, const SchemaRegistry &schemas);

    // GET /openapi/v3
    const std::string &index();
    // GET /openapi/v3/api/v1 or /openapi/v3/apis/apps/v1 ("api/v1", "apis/apps/v1"); null when unknown.
    const std::string *document(const std::string &groupVersionPath);

private:
    Json build(const std::string &group, const std::string &version) const;
    void ensureBuilt();

    const Registry &m_registry;
    const SchemaRegistry &m_schemas;
    std::once_flag m_once;
    std::string m_index;
    std::map<std::string, std::string> m_documents;
};

} // namespace cd::api
