// The source-mapped YAML reader: documents keep their place in the text, and field paths in
// Kubernetes' form lead back to lines and columns.
#include "engine/core/yamlsource.h"

#include <QTest>

using namespace cd;

class TestYamlSource : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void splitsDocumentsWithRanges()
    {
        const std::string text = "# leading comment\n---\napiVersion: v1\nkind: ConfigMap\n---\n---\nkind: Pod\n...\n";
        const auto documents = parseYamlSource(text);
        QCOMPARE(documents.size(), size_t(4));
        QVERIFY(!documents[0].empty);
        QCOMPARE(documents[0].firstLine, 3);
        QCOMPARE(text.substr(documents[0].begin, documents[0].end - documents[0].begin),
                 std::string("apiVersion: v1\nkind: ConfigMap\n"));
        QVERIFY(documents[0].value["kind"] == Json("ConfigMap"));
        QVERIFY(documents[1].empty);  // between two separators
        QVERIFY(documents[2].value["kind"] == Json("Pod"));
        QCOMPARE(documents[2].firstLine, 7);
        QVERIFY(documents[3].empty);  // after the end marker
    }

    void aFileWithoutSeparatorsIsOneDocument()
    {
        const auto documents = parseYamlSource("kind: Pod\nmetadata:\n  name: a\n");
        QCOMPARE(documents.size(), size_t(1));
        QVERIFY(documents[0].value["metadata"]["name"] == Json("a"));
    }

    void locatesFieldPaths()
    {
        const std::string text = "kind: Pod\n---\nkind: Deployment\nmetadata:\n  labels:\n    app.kubernetes.io/name: web\n"
                                 "spec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx\n";
        const auto documents = parseYamlSource(text);
        QCOMPARE(documents.size(), size_t(2));
        const SourceDocument &d = documents[1];
        const SourceField image = d.locate("spec.template.spec.containers[0].image");
        QCOMPARE(image.key.line, 12);
        QCOMPARE(image.key.column, 9);
        QCOMPARE(image.value.column, 16);
        QCOMPARE(d.locate("spec.template.spec.containers[0]").key.line, 11);
        QCOMPARE(d.locate("metadata.labels[app.kubernetes.io/name]").key.line, 6);
        // A field that is not written points at its nearest written ancestor.
        QCOMPARE(d.locate("spec.replicas").key.line, 7);
        QCOMPARE(d.locate("status.phase").key.line, 3);
    }

    void reportsErrorsAtTheFilesLine()
    {
        const auto documents = parseYamlSource("kind: Pod\n---\nkind: Service\nmetadata:\n  name: [a\n");
        QCOMPARE(documents.size(), size_t(2));
        QVERIFY(!documents[0].error);
        QVERIFY(documents[1].error);
        QVERIFY(documents[1].errorAt.line >= 5);
        QVERIFY2(!documents[1].error->empty(), "a message that says what is wrong");

        // The message says what, the position says where (at the file's line, not the part's).
        const auto duplicate = parseYamlSource("a: 1\n---\nb: 1\nb: 2\n");
        QVERIFY(duplicate[1].error);
        QCOMPARE(*duplicate[1].error, std::string("mapping key \"b\" already defined"));
        QCOMPARE(duplicate[1].errorAt.line, 4);
        QCOMPARE(duplicate[1].errorAt.column, 1);
    }

    // Re-parsing after an edit gives exactly what a fresh parse gives, positions included.
    void reparseAfterAnEditEqualsAFreshParse()
    {
        const std::string before = "kind: A\nmetadata:\n  name: a\n---\nkind: B\nbad: [\n---\nkind: C\nspec:\n  x: 1\n";
        const std::vector<std::string> edits = {
            "# a comment\nkind: A\nmetadata:\n  name: a\n  extra: line\n---\nkind: B\nbad: [\n---\nkind: C\nspec:\n  x: 1\n",
            "kind: C\nspec:\n  x: 1\n---\nkind: A\nmetadata:\n  name: a\n",
            "kind: A\nmetadata:\n  name: a\n---\nkind: B\nbad: [1]\n---\nkind: C\nspec:\n  x: 1\n",
        };
        const auto previous = parseYamlSource(before);
        for (const std::string &after : edits) {
            const auto incremental = parseYamlSource(after, before, std::vector<SourceDocument>(previous));
            const auto fresh = parseYamlSource(after);
            QCOMPARE(incremental.size(), fresh.size());
            for (size_t i = 0; i < fresh.size(); ++i) {
                QCOMPARE(incremental[i].begin, fresh[i].begin);
                QCOMPARE(incremental[i].firstLine, fresh[i].firstLine);
                QVERIFY(incremental[i].value == fresh[i].value);
                QCOMPARE(incremental[i].error, fresh[i].error);
                QCOMPARE(incremental[i].errorAt.line, fresh[i].errorAt.line);
                QCOMPARE(incremental[i].fields.size(), fresh[i].fields.size());
                for (const auto &[path, field] : fresh[i].fields) {
                    QCOMPARE(incremental[i].fields.at(path).key.line, field.key.line);
                    QCOMPARE(incremental[i].fields.at(path).value.column, field.value.column);
                }
            }
        }
    }

    void fieldPathKeysTreatMapKeysAsSegments()
    {
        QCOMPARE(fieldPathKey("spec.containers[0].image"), fieldPathKey("spec.containers.0.image"));
        QCOMPARE(fieldPathKey("metadata.labels[a.b/c]"), std::string("metadata\x1flabels\x1f" "a.b/c"));
    }
};

QTEST_GUILESS_MAIN(TestYamlSource)
#include "tst_yamlsource.moc"
