// Build step: merges YAML mappings of definitions into one JSON object, embedded in the engine so
// nothing parses YAML at run time: resources/openapi/*.yaml (the schemas) and
// resources/protobuf/fields.yaml (the protobuf field numbers). Fails on a definition written twice.
#include "engine/core/yaml.h"

#include <fstream>
#include <iostream>
#include <sstream>

int main(int argc, char **argv)
{
    if (argc < 3) {
        std::cerr << "usage: cd_schemabundle OUTPUT.json INPUT.yaml...\n";
        return 2;
    }
    cd::Json definitions = cd::Json::object();
    for (int i = 2; i < argc; ++i) {
        std::ifstream in(argv[i]);
        std::stringstream text;
        text << in.rdbuf();
        auto parsed = cd::parseYaml(text.str());
        if (!parsed.ok()) {
            std::cerr << argv[i] << ": " << parsed.error().message << "\n";
            return 1;
        }
        if (!parsed->is_object()) {
            std::cerr << argv[i] << ": expected a mapping of definition names to schemas\n";
            return 1;
        }
        for (auto it = parsed->begin(); it != parsed->end(); ++it) {
            if (definitions.contains(it.key())) {
                std::cerr << argv[i] << ": " << it.key() << " is defined in more than one file\n";
                return 1;
            }
            definitions[it.key()] = it.value();
        }
    }
    std::ofstream out(argv[1]);
    out << definitions.dump();
    return out ? 0 : 1;
}
