<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ko_KR">
<context>
    <name>CardSummary</name>
    <message>
        <source>no containers</source>
        <translation>컨테이너 없음</translation>
    </message>
    <message>
        <source>no image</source>
        <translation>이미지 없음</translation>
    </message>
    <message>
        <source>1 key</source>
        <translation>키 1개</translation>
    </message>
    <message>
        <source>%1 keys</source>
        <translation>키 %1개</translation>
    </message>
</context>
<context>
    <name>EdgeItem</name>
    <message>
        <source>%1 selects %2</source>
        <translation>%1이(가) %2을(를) 선택합니다</translation>
    </message>
    <message>
        <source>%1 mounts %2</source>
        <translation>%1이(가) %2을(를) 마운트합니다</translation>
    </message>
    <message>
        <source>%1 reads %2</source>
        <translation>%1이(가) %2을(를) 읽습니다</translation>
    </message>
    <message>
        <source>%1 binds %2</source>
        <translation>%1이(가) %2에 바인딩됩니다</translation>
    </message>
    <message>
        <source>%1 owns %2</source>
        <translation>%1이(가) %2을(를) 소유합니다</translation>
    </message>
</context>
<context>
    <name>NamespaceFrame</name>
    <message>
        <source>Namespace %1</source>
        <translation>네임스페이스 %1</translation>
    </message>
    <message>
        <source>Namespace %1 (used by objects, not defined in the design)</source>
        <translation>네임스페이스 %1 (오브젝트가 사용하지만 디자인에 정의되지 않음)</translation>
    </message>
</context>
<context>
    <name>NodeItem</name>
    <message>
        <source>simulated node</source>
        <translation>시뮬레이션 노드</translation>
    </message>
    <message>
        <source>container node</source>
        <translation>컨테이너 노드</translation>
    </message>
    <message>
        <source>virtual machine node</source>
        <translation>가상 머신 노드</translation>
    </message>
    <message>
        <source>process node</source>
        <translation>프로세스 노드</translation>
    </message>
    <message>
        <source>%1 × %2</source>
        <translation>%1 × %2</translation>
    </message>
    <message>
        <source>%1 CPU</source>
        <translation>CPU %1</translation>
    </message>
    <message>
        <source>%1 pods</source>
        <translation>파드 %1개</translation>
    </message>
    <message>
        <source>Node %1
%2
%3</source>
        <translation>노드 %1
%2
%3</translation>
    </message>
</context>
<context>
    <name>ObjectCard</name>
    <message>
        <source>%1 · unsupported kind</source>
        <translation>%1 · 지원되지 않는 종류</translation>
    </message>
    <message>
        <source>Clusterdeck&apos;s engine does not serve %1: it is kept in the YAML and applies only to real clusters.</source>
        <translation>Clusterdeck 엔진은 %1을(를) 지원하지 않습니다. YAML에는 그대로 남아 있으며 실제 클러스터에만 적용됩니다.</translation>
    </message>
</context>
<context>
    <name>ObjectFields</name>
    <message>
        <source>&quot;%1&quot; is not a quantity (like 500m, 2, 128Mi, 1Gi)</source>
        <translation>&quot;%1&quot;은(는) 올바른 수량이 아닙니다 (예: 500m, 2, 128Mi, 1Gi)</translation>
    </message>
    <message>
        <source>write one key=value per line</source>
        <translation>한 줄에 key=value를 하나씩 입력하세요</translation>
    </message>
    <message>
        <source>Command</source>
        <translation>명령</translation>
    </message>
    <message>
        <source>a quote is not closed</source>
        <translation>따옴표가 닫히지 않았습니다</translation>
    </message>
    <message>
        <source>Container ports</source>
        <translation>컨테이너 포트</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a port number (1-65535)</source>
        <translation>&quot;%1&quot;은(는) 올바른 포트 번호가 아닙니다 (1-65535)</translation>
    </message>
    <message>
        <source>Environment</source>
        <translation>환경 변수</translation>
    </message>
    <message>
        <source>write one NAME=value per line (&quot;%1&quot;)</source>
        <translation>한 줄에 NAME=value를 하나씩 입력하세요 (&quot;%1&quot;)</translation>
    </message>
    <message>
        <source>write &quot;http PATH PORT&quot;, &quot;tcp PORT&quot; or &quot;exec COMMAND&quot;</source>
        <translation>&quot;http PATH PORT&quot;, &quot;tcp PORT&quot; 또는 &quot;exec COMMAND&quot; 형식으로 입력하세요</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a whole number of 0 or more</source>
        <translation>&quot;%1&quot;은(는) 0 이상의 정수가 아닙니다</translation>
    </message>
    <message>
        <source>Access modes</source>
        <translation>접근 모드</translation>
    </message>
    <message>
        <source>Ports</source>
        <translation>포트</translation>
    </message>
    <message>
        <source>&quot;%1&quot;: write PORT[:TARGET][/PROTOCOL], optionally a name first and &quot;nodePort N&quot; last</source>
        <translation>&quot;%1&quot;: PORT[:TARGET][/PROTOCOL] 형식으로 입력하세요. 앞에 이름을, 끝에 &quot;nodePort N&quot;을 덧붙일 수 있습니다</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>데이터</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>이름</translation>
    </message>
    <message>
        <source>Namespace</source>
        <translation>네임스페이스</translation>
    </message>
    <message>
        <source>Labels</source>
        <translation>레이블</translation>
    </message>
    <message>
        <source>Replicas</source>
        <translation>레플리카</translation>
    </message>
    <message>
        <source>Completions</source>
        <translation>완료 횟수</translation>
    </message>
    <message>
        <source>Parallelism</source>
        <translation>병렬 처리 수</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>이미지</translation>
    </message>
    <message>
        <source>CPU request</source>
        <translation>CPU 요청</translation>
    </message>
    <message>
        <source>Memory request</source>
        <translation>메모리 요청</translation>
    </message>
    <message>
        <source>CPU limit</source>
        <translation>CPU 제한</translation>
    </message>
    <message>
        <source>Memory limit</source>
        <translation>메모리 제한</translation>
    </message>
    <message>
        <source>Readiness probe</source>
        <translation>준비성 프로브</translation>
    </message>
    <message>
        <source>Liveness probe</source>
        <translation>활성 프로브</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>유형</translation>
    </message>
    <message>
        <source>Selector</source>
        <translation>셀렉터</translation>
    </message>
    <message>
        <source>Storage size</source>
        <translation>스토리지 크기</translation>
    </message>
    <message>
        <source>Storage class</source>
        <translation>스토리지 클래스</translation>
    </message>
    <message>
        <source>(the default class)</source>
        <translation>(기본 클래스)</translation>
    </message>
    <message>
        <source>Volume</source>
        <translation>볼륨</translation>
    </message>
    <message>
        <source>Capacity</source>
        <translation>용량</translation>
    </message>
    <message>
        <source>Reclaim policy</source>
        <translation>반환 정책</translation>
    </message>
    <message>
        <source>Host path</source>
        <translation>호스트 경로</translation>
    </message>
    <message>
        <source>Provisioner</source>
        <translation>프로비저너</translation>
    </message>
    <message>
        <source>Binding mode</source>
        <translation>바인딩 모드</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>종류</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>메모리</translation>
    </message>
    <message>
        <source>Pods</source>
        <translation>파드</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>Open</source>
        <translation>열기</translation>
    </message>
</context>
<context>
    <name>Samples</name>
    <message>
        <source>Empty three-node cluster</source>
        <translation>빈 3노드 클러스터</translation>
    </message>
    <message>
        <source>Three simulated nodes, ready for a design.</source>
        <translation>시뮬레이션 노드 3개로 구성되어 바로 디자인을 시작할 수 있습니다.</translation>
    </message>
    <message>
        <source>Web app with storage</source>
        <translation>스토리지를 사용하는 웹 앱</translation>
    </message>
    <message>
        <source>A Deployment behind a LoadBalancer Service, with a claim mounted into its pods.</source>
        <translation>LoadBalancer 서비스 뒤에 디플로이먼트가 있고, 그 파드에 클레임이 마운트되어 있습니다.</translation>
    </message>
    <message>
        <source>Guestbook</source>
        <translation>방명록</translation>
    </message>
    <message>
        <source>Kubernetes&apos; guestbook: a PHP front end and Redis, with their Services.</source>
        <translation>쿠버네티스 방명록 예제: PHP 프런트엔드와 Redis, 그리고 각각의 서비스입니다.</translation>
    </message>
</context>
<context>
    <name>SceneExport</name>
    <message>
        <source>Clusterdeck topology</source>
        <translation>Clusterdeck 토폴로지</translation>
    </message>
    <message>
        <source>The cluster design as drawn on Clusterdeck&apos;s canvas</source>
        <translation>Clusterdeck 캔버스에 그린 클러스터 디자인</translation>
    </message>
    <message>
        <source>Cannot write %1</source>
        <translation>%1에 쓸 수 없습니다</translation>
    </message>
    <message>
        <source>Cannot export as &quot;%1&quot;: use .png or .svg</source>
        <translation>&quot;%1&quot;(으)로 내보낼 수 없습니다. .png 또는 .svg를 사용하세요</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>%1에 쓸 수 없습니다: %2</translation>
    </message>
</context>
<context>
    <name>cd::gui::DesignDocument</name>
    <message>
        <source>The folder %1 does not exist.</source>
        <translation>%1 폴더가 없습니다.</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>%1을(를) 읽을 수 없습니다: %2</translation>
    </message>
    <message>
        <source>The design has no folder yet: use Save As.</source>
        <translation>디자인에 아직 폴더가 없습니다. 다른 이름으로 저장을 사용하세요.</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>%1에 쓸 수 없습니다: %2</translation>
    </message>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation>%1 폴더를 만들 수 없습니다.</translation>
    </message>
    <message>
        <source>Edit %1</source>
        <translation>%1 편집</translation>
    </message>
    <message>
        <source>Add %1</source>
        <translation>%1 추가</translation>
    </message>
    <message>
        <source>Change %1</source>
        <translation>%1 변경</translation>
    </message>
    <message>
        <source>Delete %1</source>
        <translation>%1 삭제</translation>
    </message>
    <message numerus="yes">
        <source>Delete %n objects</source>
        <translation>
            <numerusform>오브젝트 %n개 삭제</numerusform>
        </translation>
    </message>
    <message>
        <source>Move %1</source>
        <translation>%1 이동</translation>
    </message>
    <message numerus="yes">
        <source>Move %n items</source>
        <translation>
            <numerusform>항목 %n개 이동</numerusform>
        </translation>
    </message>
    <message>
        <source>Add node %1</source>
        <translation>노드 %1 추가</translation>
    </message>
    <message>
        <source>Change node %1</source>
        <translation>노드 %1 변경</translation>
    </message>
    <message>
        <source>Delete node %1</source>
        <translation>노드 %1 삭제</translation>
    </message>
    <message numerus="yes">
        <source>Delete %n nodes</source>
        <translation>
            <numerusform>노드 %n개 삭제</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cd::gui::FindBar</name>
    <message>
        <source>Match case</source>
        <translation>대소문자 구분</translation>
    </message>
    <message>
        <source>Find</source>
        <translation>찾기</translation>
    </message>
    <message>
        <source>Replace with</source>
        <translation>바꿀 내용</translation>
    </message>
    <message>
        <source>Previous match (Shift+Enter)</source>
        <translation>이전 항목 (Shift+Enter)</translation>
    </message>
    <message>
        <source>Next match (Enter)</source>
        <translation>다음 항목 (Enter)</translation>
    </message>
    <message>
        <source>Close (Escape)</source>
        <translation>닫기 (Escape)</translation>
    </message>
    <message>
        <source>Replace</source>
        <translation>바꾸기</translation>
    </message>
    <message>
        <source>Replace All</source>
        <translation>모두 바꾸기</translation>
    </message>
    <message numerus="yes">
        <source>%n replaced</source>
        <translation>
            <numerusform>%n개 바꿈</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n matches</source>
        <translation>
            <numerusform>%n개 일치</numerusform>
        </translation>
    </message>
    <message>
        <source>Not found</source>
        <translation>찾을 수 없음</translation>
    </message>
</context>
<context>
    <name>cd::gui::Inspector</name>
    <message>
        <source>Select an object on the canvas, in the tree or in the YAML to edit its fields.</source>
        <translation>캔버스, 트리 또는 YAML에서 오브젝트를 선택하면 필드를 편집할 수 있습니다.</translation>
    </message>
    <message>
        <source>Node %1</source>
        <translation>노드 %1</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>A node named %1 exists already.</source>
        <translation>이름이 %1인 노드가 이미 있습니다.</translation>
    </message>
    <message>
        <source>%1 exists already.</source>
        <translation>%1이(가) 이미 있습니다.</translation>
    </message>
</context>
<context>
    <name>cd::gui::MainWindow</name>
    <message>
        <source>Palette</source>
        <translation>팔레트</translation>
    </message>
    <message>
        <source>Objects</source>
        <translation>오브젝트</translation>
    </message>
    <message>
        <source>Inspector</source>
        <translation>인스펙터</translation>
    </message>
    <message>
        <source>YAML</source>
        <translation>YAML</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>문제</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>이벤트</translation>
    </message>
    <message>
        <source>Logs</source>
        <translation>로그</translation>
    </message>
    <message>
        <source>Terminal</source>
        <translation>터미널</translation>
    </message>
    <message>
        <source>Dashboard</source>
        <translation>대시보드</translation>
    </message>
    <message>
        <source>%1 of the running cluster will show here once the design is deployed.</source>
        <translation>디자인을 배포하면 실행 중인 클러스터의 %1이(가) 여기에 표시됩니다.</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>파일(&amp;F)</translation>
    </message>
    <message>
        <source>New from &amp;Sample</source>
        <translation>샘플에서 새로 만들기(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;New</source>
        <translation>새로 만들기(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Open Folder...</source>
        <translation>폴더 열기(&amp;O)...</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>최근 항목 열기(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>저장(&amp;S)</translation>
    </message>
    <message>
        <source>Save &amp;As...</source>
        <translation>다른 이름으로 저장(&amp;A)...</translation>
    </message>
    <message>
        <source>&amp;Export Canvas...</source>
        <translation>캔버스 내보내기(&amp;E)...</translation>
    </message>
    <message>
        <source>Ctrl+E</source>
        <translation>Ctrl+E</translation>
    </message>
    <message>
        <source>Se&amp;ttings...</source>
        <translation>설정(&amp;T)...</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>끝내기(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>편집(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>실행 취소(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>다시 실행(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Find in YAML</source>
        <translation>YAML에서 찾기(&amp;F)</translation>
    </message>
    <message>
        <source>Ctrl+Shift+F</source>
        <translation>Ctrl+Shift+F</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>보기(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Panels</source>
        <translation>패널(&amp;P)</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>기본</translation>
    </message>
    <message>
        <source>Cannot write the screenshot to %1.</source>
        <translation>스크린샷을 %1에 쓸 수 없습니다.</translation>
    </message>
    <message>
        <source>Untitled design</source>
        <translation>제목 없는 디자인</translation>
    </message>
    <message>
        <source>%1[*] - Clusterdeck</source>
        <translation>%1[*] - Clusterdeck</translation>
    </message>
    <message numerus="yes">
        <source>%n object(s)</source>
        <translation>
            <numerusform>오브젝트 %n개</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n node(s)</source>
        <translation>
            <numerusform>노드 %n개</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n problem(s)</source>
        <translation>
            <numerusform>문제 %n개</numerusform>
        </translation>
    </message>
    <message>
        <source>Open Recent</source>
        <translation>최근 항목 열기</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>저장하지 않은 변경 사항</translation>
    </message>
    <message>
        <source>The design has unsaved changes. Save them?</source>
        <translation>디자인에 저장하지 않은 변경 사항이 있습니다. 저장하시겠습니까?</translation>
    </message>
    <message>
        <source>Open a folder of manifests</source>
        <translation>매니페스트 폴더 열기</translation>
    </message>
    <message>
        <source>Open Folder</source>
        <translation>폴더 열기</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>저장</translation>
    </message>
    <message>
        <source>Saved to %1</source>
        <translation>%1에 저장했습니다</translation>
    </message>
    <message>
        <source>Save the design into a folder</source>
        <translation>디자인을 저장할 폴더 선택</translation>
    </message>
    <message>
        <source>Save As</source>
        <translation>다른 이름으로 저장</translation>
    </message>
    <message>
        <source>Export the canvas</source>
        <translation>캔버스 내보내기</translation>
    </message>
    <message>
        <source>PNG image (*.png);;SVG drawing (*.svg)</source>
        <translation>PNG 이미지 (*.png);;SVG 드로잉 (*.svg)</translation>
    </message>
    <message>
        <source>Export Canvas</source>
        <translation>캔버스 내보내기</translation>
    </message>
    <message>
        <source>Recover unsaved changes</source>
        <translation>저장하지 않은 변경 사항 복구</translation>
    </message>
    <message>
        <source>Clusterdeck was closed with unsaved changes to this design. Recover them?</source>
        <translation>Clusterdeck이 이 디자인의 변경 사항을 저장하지 않은 채 종료되었습니다. 복구하시겠습니까?</translation>
    </message>
    <message>
        <source>Drag a Deployment from the palette onto the canvas, or write YAML below.</source>
        <translation>팔레트에서 Deployment를 캔버스로 끌어 놓거나 아래에 YAML을 작성하세요.</translation>
    </message>
</context>
<context>
    <name>cd::gui::Minimap</name>
    <message>
        <source>Overview: click or drag to move the view</source>
        <translation>개요: 클릭하거나 끌어서 보기를 이동하세요</translation>
    </message>
</context>
<context>
    <name>cd::gui::ObjectTree</name>
    <message>
        <source>Nodes (%1)</source>
        <translation>노드 (%1)</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Namespace %1</source>
        <translation>네임스페이스 %1</translation>
    </message>
    <message>
        <source>Cluster-wide</source>
        <translation>클러스터 전체</translation>
    </message>
    <message>
        <source>%1 (not served by Clusterdeck)</source>
        <translation>%1 (Clusterdeck에서 지원하지 않음)</translation>
    </message>
    <message>
        <source>%1, %2 line %3</source>
        <translation>%1, %2 %3행</translation>
    </message>
</context>
<context>
    <name>cd::gui::PaletteWidget</name>
    <message>
        <source>Cluster</source>
        <translation>클러스터</translation>
    </message>
    <message>
        <source>Workloads</source>
        <translation>워크로드</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>네트워크</translation>
    </message>
    <message>
        <source>Storage</source>
        <translation>스토리지</translation>
    </message>
    <message>
        <source>Configuration</source>
        <translation>구성</translation>
    </message>
    <message>
        <source>Simulated node</source>
        <translation>시뮬레이션 노드</translation>
    </message>
    <message>
        <source>Container node</source>
        <translation>컨테이너 노드</translation>
    </message>
    <message>
        <source>VM node</source>
        <translation>VM 노드</translation>
    </message>
    <message>
        <source>Process node</source>
        <translation>프로세스 노드</translation>
    </message>
    <message>
        <source>Drag onto the canvas to add a %1</source>
        <translation>캔버스로 끌어 놓으면 %1을(를) 추가합니다</translation>
    </message>
</context>
<context>
    <name>cd::gui::ProblemsPanel</name>
    <message>
        <source>Severity</source>
        <translation>심각도</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>메시지</translation>
    </message>
    <message>
        <source>Place</source>
        <translation>위치</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>필드</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>오류</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>경고</translation>
    </message>
    <message>
        <source>Info</source>
        <translation>정보</translation>
    </message>
    <message>
        <source>%1:%2:%3</source>
        <translation>%1:%2:%3</translation>
    </message>
</context>
<context>
    <name>cd::gui::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>설정</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>시스템 설정 따르기</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>밝은 테마</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>어두운 테마</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>테마</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>언어</translation>
    </message>
    <message>
        <source>A new language applies from the next start.</source>
        <translation>바꾼 언어는 다음 실행부터 적용됩니다.</translation>
    </message>
</context>
<context>
    <name>cd::gui::TopologyScene</name>
    <message>
        <source>Add node %1</source>
        <translation>노드 %1 추가</translation>
    </message>
    <message>
        <source>Add %1 %2</source>
        <translation>%1 %2 추가</translation>
    </message>
    <message>
        <source>%1 and %2 have nothing to connect</source>
        <translation>%1과(와) %2 사이에는 연결할 관계가 없습니다</translation>
    </message>
    <message>
        <source>%1 and %2 are connected already</source>
        <translation>%1과(와) %2은(는) 이미 연결되어 있습니다</translation>
    </message>
    <message>
        <source>Connect %1 to %2</source>
        <translation>%1을(를) %2에 연결</translation>
    </message>
    <message numerus="yes">
        <source>Delete %n items</source>
        <translation>
            <numerusform>항목 %n개 삭제</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Paste %n objects</source>
        <translation>
            <numerusform>오브젝트 %n개 붙여넣기</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cd::gui::TopologyView</name>
    <message>
        <source>Delete</source>
        <translation>삭제</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>복사</translation>
    </message>
    <message>
        <source>Paste</source>
        <translation>붙여넣기</translation>
    </message>
    <message>
        <source>Select All</source>
        <translation>모두 선택</translation>
    </message>
    <message>
        <source>Fit to Window</source>
        <translation>창에 맞추기</translation>
    </message>
    <message>
        <source>Zoom In</source>
        <translation>확대</translation>
    </message>
    <message>
        <source>Zoom Out</source>
        <translation>축소</translation>
    </message>
    <message>
        <source>Actual Size</source>
        <translation>실제 크기</translation>
    </message>
</context>
<context>
    <name>cd::gui::YamlEditor</name>
    <message>
        <source>Documents in this file (Ctrl+Alt+Up/Down)</source>
        <translation>이 파일의 문서 (Ctrl+Alt+Up/Down)</translation>
    </message>
    <message>
        <source>Insert</source>
        <translation>삽입</translation>
    </message>
    <message>
        <source>Append a new object of a kind as a new document</source>
        <translation>선택한 종류의 새 오브젝트를 새 문서로 추가합니다</translation>
    </message>
    <message>
        <source>Document %1 (does not parse)</source>
        <translation>문서 %1 (구문 분석 실패)</translation>
    </message>
    <message>
        <source>Document %1</source>
        <translation>문서 %1</translation>
    </message>
</context>
<context>
    <name>cd::gui::YamlTextEdit</name>
    <message>
        <source>Insert Snippet</source>
        <translation>스니펫 삽입</translation>
    </message>
    <message>
        <source>Unfold All</source>
        <translation>모두 펼치기</translation>
    </message>
</context>
<context>
    <name>cd::gui::relations</name>
    <message>
        <source>selector %1 matches no pods in the design</source>
        <translation>디자인에 셀렉터 %1과(와) 일치하는 파드가 없습니다</translation>
    </message>
    <message>
        <source>claim %1 is not defined in the design</source>
        <translation>클레임 %1이(가) 디자인에 정의되어 있지 않습니다</translation>
    </message>
    <message>
        <source>%1 %2 is not defined in the design</source>
        <translation>%1 %2이(가) 디자인에 정의되어 있지 않습니다</translation>
    </message>
    <message>
        <source>volume %1 is not defined in the design</source>
        <translation>볼륨 %1이(가) 디자인에 정의되어 있지 않습니다</translation>
    </message>
</context>
</TS>
