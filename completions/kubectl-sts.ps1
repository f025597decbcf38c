
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'kubectl-sts' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'kubectl-sts'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'kubectl-sts' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long a single API request may take (e.g. 5s); 0 means no limit')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Act as this user (impersonation), like `kubectl --as`')
            [CompletionResult]::new('--as-group', '--as-group', [CompletionResultType]::ParameterName, 'Act as a member of this group (impersonation, with --as); repeat for several groups')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token to authenticate with, instead of the kubeconfig user''s credentials (its client certificate, token or exec plugin)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Address of the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--certificate-authority', '--certificate-authority', [CompletionResultType]::ParameterName, 'CA certificate file that verifies the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--insecure-skip-tls-verify', '--insecure-skip-tls-verify', [CompletionResultType]::ParameterName, 'Do not verify the API server''s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List StatefulSets with their replicas, strategy, partition and rollouts in flight')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show one StatefulSet: revisions, every ordinal''s pod and claims, DNS names, and what the controller is doing or waiting on')
            [CompletionResult]::new('why', 'why', [CompletionResultType]::ParameterValue, 'Explain what keeps a StatefulSet from converging: each finding with the cluster''s evidence (conditions, container states, events, quotas, volumes) and the command to run')
            [CompletionResult]::new('wait', 'wait', [CompletionResultType]::ParameterValue, 'Wait until a StatefulSet has converged under its own strategy (for CI after `helm upgrade` or a GitOps sync): every member Ready and available, every pod the strategy updates by itself on the update revision; stop as soon as something blocks')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Plan a changed manifest (Helm, kustomize, a repository) against the live StatefulSets, field by field: in place, rolled out (which pods, in which order), re-created with pods and claims kept (fields the API server refuses to update), or refused with the reason')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Carry out a manifest''s plan in one ordered, crash-safe sequence: claims grown, the set re-created with its pods and claims kept when a field cannot be updated, then the template applied and its rollout followed until the set has converged')
            [CompletionResult]::new('scale', 'scale', [CompletionResultType]::ParameterValue, 'Scale a StatefulSet in order, showing which pods come and go and what happens to their claims, then wait pod by pod')
            [CompletionResult]::new('rollout', 'rollout', [CompletionResultType]::ParameterValue, 'Stage a new template: images and partition in one write, so no pod restarts before the partition is in place (default partition: the replica count, nothing moves until promoted)')
            [CompletionResult]::new('canary', 'canary', [CompletionResultType]::ParameterValue, 'Roll a new template out to the K highest ordinals only and wait until they are Ready')
            [CompletionResult]::new('promote', 'promote', [CompletionResultType]::ParameterValue, 'Lower the partition of a staged rollout and wait for each newly updated pod; on a terminal without a choice, offers the next pod, half of the rest, or all')
            [CompletionResult]::new('abort', 'abort', [CompletionResultType]::ParameterValue, 'Stop a staged rollout: template back to the revision it started from, broken pods on the aborted revision deleted so they come back, partition restored')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'List the revisions of a StatefulSet with what changed in each (images, env, resources, …)')
            [CompletionResult]::new('undo', 'undo', [CompletionResultType]::ParameterValue, 'Go back to an earlier revision (the previous one by default)')
            [CompletionResult]::new('roll', 'roll', [CompletionResultType]::ParameterValue, 'Replace the outdated pods of an OnDelete set one at a time (or chosen ordinals of any set), each after every other member is Ready; resumable')
            [CompletionResult]::new('restart', 'restart', [CompletionResultType]::ParameterValue, 'Restart every pod (the `kubectl.kubernetes.io/restartedAt` template annotation, as `kubectl rollout restart` sets it), following the rollout; OnDelete sets are rolled')
            [CompletionResult]::new('recover', 'recover', [CompletionResultType]::ParameterValue, 'Recover members stranded on a dead node: prove the node down (Ready condition, Lease, taints, volume attachments), then force-delete the pods or fence the node out of service, and wait until each member is Ready again on a live node')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a StatefulSet safely: an ordered teardown (scale to 0 pod by pod, then delete), or with --orphan only the set, its pods left running and its claims in place')
            [CompletionResult]::new('pvc', 'pvc', [CompletionResultType]::ParameterValue, 'A StatefulSet''s claims per ordinal and template (leftovers included) with volumes, sizes, classes and reclaim policies; prune leftovers; grow a template with `pvc resize`')
            [CompletionResult]::new('dns', 'dns', [CompletionResultType]::ParameterValue, 'Check every pod''s DNS name (`<pod>.<service>.<ns>.svc.<domain>`) and say why one would not resolve: Service, headless, selector, endpoints, readiness, label lengths, SRV names; with --resolve, ask the cluster''s DNS and compare its answers with the pod IPs')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script for `kubectl-sts`, generated from these definitions')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write the man pages (roff), one per command, generated from these definitions')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-sts;list' {
            [CompletionResult]::new('--contexts', '--contexts', [CompletionResultType]::ParameterName, 'Ask these kubeconfig contexts at once, comma-separated: one section (or CONTEXT column) per context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long a single API request may take (e.g. 5s); 0 means no limit')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Act as this user (impersonation), like `kubectl --as`')
            [CompletionResult]::new('--as-group', '--as-group', [CompletionResultType]::ParameterName, 'Act as a member of this group (impersonation, with --as); repeat for several groups')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token to authenticate with, instead of the kubeconfig user''s credentials (its client certificate, token or exec plugin)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Address of the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--certificate-authority', '--certificate-authority', [CompletionResultType]::ParameterName, 'CA certificate file that verifies the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'List StatefulSets in every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'List StatefulSets in every namespace')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Ask every context of the kubeconfig at once, as --contexts')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--insecure-skip-tls-verify', '--insecure-skip-tls-verify', [CompletionResultType]::ParameterName, 'Do not verify the API server''s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-sts;status' {
            [CompletionResult]::new('--contexts', '--contexts', [CompletionResultType]::ParameterName, 'Ask these kubeconfig contexts at once, comma-separated: one section (or CONTEXT column) per context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long a single API request may take (e.g. 5s); 0 means no limit')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Act as this user (impersonation), like `kubectl --as`')
            [CompletionResult]::new('--as-group', '--as-group', [CompletionResultType]::ParameterName, 'Act as a member of this group (impersonation, with --as); repeat for several groups')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token to authenticate with, instead of the kubeconfig user''s credentials (its client certificate, token or exec plugin)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Address of the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--certificate-authority', '--certificate-authority', [CompletionResultType]::ParameterName, 'CA certificate file that verifies the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Redraw on every change of the set, its pods or claims, until interrupted or --timeout')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Redraw on every change of the set, its pods or claims, until interrupted or --timeout')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Ask every context of the kubeconfig at once, as --contexts')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--insecure-skip-tls-verify', '--insecure-skip-tls-verify', [CompletionResultType]::ParameterName, 'Do not verify the API server''s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-sts;why' {
            [CompletionResult]::new('--contexts', '--contexts', [CompletionResultType]::ParameterName, 'Ask these kubeconfig contexts at once, comma-separated: one section (or CONTEXT column) per context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long a single API request may take (e.g. 5s); 0 means no limit')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Act as this user (impersonation), like `kubectl --as`')
            [CompletionResult]::new('--as-group', '--as-group', [CompletionResultType]::ParameterName, 'Act as a member of this group (impersonation, with --as); repeat for several groups')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token to authenticate with, instead of the kubeconfig user''s credentials (its client certificate, token or exec plugin)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Address of the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--certificate-authority', '--certificate-authority', [CompletionResultType]::ParameterName, 'CA certificate file that verifies the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Ask every context of the kubeconfig at once, as --contexts')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--insecure-skip-tls-verify', '--insecure-skip-tls-verify', [CompletionResultType]::ParameterName, 'Do not verify the API server''s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-sts;wait' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long a single API request may take (e.g. 5s); 0 means no limit')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Act as this user (impersonation), like `kubectl --as`')
            [CompletionResult]::new('--as-group', '--as-group', [CompletionResultType]::ParameterName, 'Act as a member of this group (impersonation, with --as); repeat for several groups')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token to authenticate with, instead of the kubeconfig user''s credentials (its client certificate, token or exec plugin)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Address of the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--certificate-authority', '--certificate-authority', [CompletionResultType]::ParameterName, 'CA certificate file that verifies the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--insecure-skip-tls-verify', '--insecure-skip-tls-verify', [CompletionResultType]::ParameterName, 'Do not verify the API server''s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-sts;plan' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Manifest file (`-` for stdin), multi-document YAML or JSON (repeatable)')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'Manifest file (`-` for stdin), multi-document YAML or JSON (repeatable)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long a single API request may take (e.g. 5s); 0 means no limit')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Act as this user (impersonation), like `kubectl --as`')
            [CompletionResult]::new('--as-group', '--as-group', [CompletionResultType]::ParameterName, 'Act as a member of this group (impersonation, with --as); repeat for several groups')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token to authenticate with, instead of the kubeconfig user''s credentials (its client certificate, token or exec plugin)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Address of the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--certificate-authority', '--certificate-authority', [CompletionResultType]::ParameterName, 'CA certificate file that verifies the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--allow-service-name-change', '--allow-service-name-change', [CompletionResultType]::ParameterName, 'Plan a changed spec.serviceName (every pod''s DNS name changes) as a re-create instead of refusing it')
            [CompletionResult]::new('--replace-pending-claims', '--replace-pending-claims', [CompletionResultType]::ParameterName, 'A claim template''s class, access modes or volume mode may change when every existing claim of it is Pending without a volume (it holds no data): those claims and their Pending pods are deleted and created again from the new template')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--insecure-skip-tls-verify', '--insecure-skip-tls-verify', [CompletionResultType]::ParameterName, 'Do not verify the API server''s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-sts;apply' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Manifest file (`-` for stdin), multi-document YAML or JSON (repeatable)')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'Manifest file (`-` for stdin), multi-document YAML or JSON (repeatable)')
            [CompletionResult]::new('--field-manager', '--field-manager', [CompletionResultType]::ParameterName, 'The field manager of the server-side applies (who owns the fields written)')
            [CompletionResult]::new('--backup-dir', '--backup-dir', [CompletionResultType]::ParameterName, 'Directory to save each re-created set''s manifest in before its --orphan delete')
            [CompletionResult]::new('--pod-check', '--pod-check', [CompletionResultType]::ParameterName, 'After each pod is back updated and Ready, run CMD through `sh -c` until it passes; no other pod is taken down before. It gets STS_NAMESPACE, STS_NAME, STS_POD, STS_ORDINAL, STS_POD_FQDN, STS_UPDATED_PODS and STS_REMAINING_PODS')
            [CompletionResult]::new('--pod-check-passes', '--pod-check-passes', [CompletionResultType]::ParameterName, 'Consecutive passes the pod check needs (a flapping signal does not count)')
            [CompletionResult]::new('--pod-check-interval', '--pod-check-interval', [CompletionResultType]::ParameterName, 'Time between two runs of the pod check')
            [CompletionResult]::new('--pod-check-timeout', '--pod-check-timeout', [CompletionResultType]::ParameterName, 'How long a pod''s check may take to pass, all runs together (also the limit of each hook)')
            [CompletionResult]::new('--before-each', '--before-each', [CompletionResultType]::ParameterName, 'Run CMD before each pod is taken down (a switchover, draining a broker); a failure stops the roll before that pod is touched. Same environment as --pod-check')
            [CompletionResult]::new('--after-each', '--after-each', [CompletionResultType]::ParameterName, 'Run CMD after each pod is back Ready (before its --pod-check); a failure stops the roll')
            [CompletionResult]::new('--leader', '--leader', [CompletionResultType]::ParameterName, 'CMD prints the pod that must go last (a name or an ordinal); it is asked again before each pod, since leadership moves during a roll')
            [CompletionResult]::new('--max-unavailable', '--max-unavailable', [CompletionResultType]::ParameterName, 'Take up to N pods down at once, once every other member is Ready (never more than N not Ready; PodDisruptionBudgets still honoured with --evict); the leader goes alone')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long a single API request may take (e.g. 5s); 0 means no limit')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Act as this user (impersonation), like `kubectl --as`')
            [CompletionResult]::new('--as-group', '--as-group', [CompletionResultType]::ParameterName, 'Act as a member of this group (impersonation, with --as); repeat for several groups')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token to authenticate with, instead of the kubeconfig user''s credentials (its client certificate, token or exec plugin)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Address of the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--certificate-authority', '--certificate-authority', [CompletionResultType]::ParameterName, 'CA certificate file that verifies the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--allow-service-name-change', '--allow-service-name-change', [CompletionResultType]::ParameterName, 'Plan a changed spec.serviceName (every pod''s DNS name changes) as a re-create instead of refusing it')
            [CompletionResult]::new('--replace-pending-claims', '--replace-pending-claims', [CompletionResultType]::ParameterName, 'A claim template''s class, access modes or volume mode may change when every existing claim of it is Pending without a volume (it holds no data): those claims and their Pending pods are deleted and created again from the new template')
            [CompletionResult]::new('--force-conflicts', '--force-conflicts', [CompletionResultType]::ParameterName, 'Take fields that another server-side applier (Flux, Argo CD, `kubectl apply --server-side`) set to other values; without it such a conflict is refused')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and check it with the server (server-side dry run); change nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--insecure-skip-tls-verify', '--insecure-skip-tls-verify', [CompletionResultType]::ParameterName, 'Do not verify the API server''s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-sts;scale' {
            [CompletionResult]::new('--replicas', '--replicas', [CompletionResultType]::ParameterName, 'The number of replicas wanted')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long a single API request may take (e.g. 5s); 0 means no limit')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Act as this user (impersonation), like `kubectl --as`')
            [CompletionResult]::new('--as-group', '--as-group', [CompletionResultType]::ParameterName, 'Act as a member of this group (impersonation, with --as); repeat for several groups')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token to authenticate with, instead of the kubeconfig user''s credentials (its client certificate, token or exec plugin)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Address of the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--certificate-authority', '--certificate-authority', [CompletionResultType]::ParameterName, 'CA certificate file that verifies the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Change spec.replicas and return without waiting for the pods')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and check it with the server (server-side dry run); change nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--insecure-skip-tls-verify', '--insecure-skip-tls-verify', [CompletionResultType]::ParameterName, 'Do not verify the API server''s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-sts;rollout' {
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'New image of a container or init container, as CONTAINER=IMAGE (repeatable)')
            [CompletionResult]::new('--partition', '--partition', [CompletionResultType]::ParameterName, 'Ordinals from start + P move now (default: the replica count: nothing moves until promoted)')
            [CompletionResult]::new('--steps', '--steps', [CompletionResultType]::ParameterName, 'Progressive rollout: after each step that many pods run the new template, as counts or percentages of the replicas (rounded up, increasing), highest ordinals first, e.g. 1,25%,50%,100%')
            [CompletionResult]::new('--pause', '--pause', [CompletionResultType]::ParameterName, 'With --steps: how long each step bakes (its pods watched) before the next, e.g. 30s, 5m')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'With --steps: a command run through `sh -c` after each step (its exit code decides); it gets STS_NAMESPACE, STS_NAME, STS_STEP, STS_STEPS, STS_PARTITION, STS_UPDATE_REVISION, STS_UPDATED_PODS and STS_UPDATED_FQDNS')
            [CompletionResult]::new('--check-timeout', '--check-timeout', [CompletionResultType]::ParameterName, 'With --check: how long the check may run before it counts as failed')
            [CompletionResult]::new('--pod-check', '--pod-check', [CompletionResultType]::ParameterName, 'After each pod is back updated and Ready, run CMD through `sh -c` until it passes; no other pod is taken down before. It gets STS_NAMESPACE, STS_NAME, STS_POD, STS_ORDINAL, STS_POD_FQDN, STS_UPDATED_PODS and STS_REMAINING_PODS')
            [CompletionResult]::new('--pod-check-passes', '--pod-check-passes', [CompletionResultType]::ParameterName, 'Consecutive passes the pod check needs (a flapping signal does not count)')
            [CompletionResult]::new('--pod-check-interval', '--pod-check-interval', [CompletionResultType]::ParameterName, 'Time between two runs of the pod check')
            [CompletionResult]::new('--pod-check-timeout', '--pod-check-timeout', [CompletionResultType]::ParameterName, 'How long a pod''s check may take to pass, all runs together (also the limit of each hook)')
            [CompletionResult]::new('--before-each', '--before-each', [CompletionResultType]::ParameterName, 'Run CMD before each pod is taken down (a switchover, draining a broker); a failure stops the roll before that pod is touched. Same environment as --pod-check')
            [CompletionResult]::new('--after-each', '--after-each', [CompletionResultType]::ParameterName, 'Run CMD after each pod is back Ready (before its --pod-check); a failure stops the roll')
            [CompletionResult]::new('--leader', '--leader', [CompletionResultType]::ParameterName, 'CMD prints the pod that must go last (a name or an ordinal); it is asked again before each pod, since leadership moves during a roll')
            [CompletionResult]::new('--max-unavailable', '--max-unavailable', [CompletionResultType]::ParameterName, 'Take up to N pods down at once, once every other member is Ready (never more than N not Ready; PodDisruptionBudgets still honoured with --evict); the leader goes alone')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long a single API request may take (e.g. 5s); 0 means no limit')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Act as this user (impersonation), like `kubectl --as`')
            [CompletionResult]::new('--as-group', '--as-group', [CompletionResultType]::ParameterName, 'Act as a member of this group (impersonation, with --as); repeat for several groups')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token to authenticate with, instead of the kubeconfig user''s credentials (its client certificate, token or exec plugin)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Address of the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--certificate-authority', '--certificate-authority', [CompletionResultType]::ParameterName, 'CA certificate file that verifies the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--no-auto-abort', '--no-auto-abort', [CompletionResultType]::ParameterName, 'With --steps: a failed step stops where it is instead of aborting the rollout')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Stage and return without waiting for the pods that move')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and check it with the server (server-side dry run); change nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--insecure-skip-tls-verify', '--insecure-skip-tls-verify', [CompletionResultType]::ParameterName, 'Do not verify the API server''s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-sts;canary' {
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'New image of a container or init container, as CONTAINER=IMAGE (repeatable)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'How many of the highest ordinals become canaries')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long a single API request may take (e.g. 5s); 0 means no limit')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Act as this user (impersonation), like `kubectl --as`')
            [CompletionResult]::new('--as-group', '--as-group', [CompletionResultType]::ParameterName, 'Act as a member of this group (impersonation, with --as); repeat for several groups')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token to authenticate with, instead of the kubeconfig user''s credentials (its client certificate, token or exec plugin)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Address of the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--certificate-authority', '--certificate-authority', [CompletionResultType]::ParameterName, 'CA certificate file that verifies the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Stage and return without waiting for the canaries')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and check it with the server (server-side dry run); change nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--insecure-skip-tls-verify', '--insecure-skip-tls-verify', [CompletionResultType]::ParameterName, 'Do not verify the API server''s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-sts;promote' {
            [CompletionResult]::new('--step', '--step', [CompletionResultType]::ParameterName, 'Lower the partition by K (K more pods move)')
            [CompletionResult]::new('--partition', '--partition', [CompletionResultType]::ParameterName, 'Set the partition to P (never above the current one)')
            [CompletionResult]::new('--pod-check', '--pod-check', [CompletionResultType]::ParameterName, 'After each pod is back updated and Ready, run CMD through `sh -c` until it passes; no other pod is taken down before. It gets STS_NAMESPACE, STS_NAME, STS_POD, STS_ORDINAL, STS_POD_FQDN, STS_UPDATED_PODS and STS_REMAINING_PODS')
            [CompletionResult]::new('--pod-check-passes', '--pod-check-passes', [CompletionResultType]::ParameterName, 'Consecutive passes the pod check needs (a flapping signal does not count)')
            [CompletionResult]::new('--pod-check-interval', '--pod-check-interval', [CompletionResultType]::ParameterName, 'Time between two runs of the pod check')
            [CompletionResult]::new('--pod-check-timeout', '--pod-check-timeout', [CompletionResultType]::ParameterName, 'How long a pod''s check may take to pass, all runs together (also the limit of each hook)')
            [CompletionResult]::new('--before-each', '--before-each', [CompletionResultType]::ParameterName, 'Run CMD before each pod is taken down (a switchover, draining a broker); a failure stops the roll before that pod is touched. Same environment as --pod-check')
            [CompletionResult]::new('--after-each', '--after-each', [CompletionResultType]::ParameterName, 'Run CMD after each pod is back Ready (before its --pod-check); a failure stops the roll')
            [CompletionResult]::new('--leader', '--leader', [CompletionResultType]::ParameterName, 'CMD prints the pod that must go last (a name or an ordinal); it is asked again before each pod, since leadership moves during a roll')
            [CompletionResult]::new('--max-unavailable', '--max-unavailable', [CompletionResultType]::ParameterName, 'Take up to N pods down at once, once every other member is Ready (never more than N not Ready; PodDisruptionBudgets still honoured with --evict); the leader goes alone')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long a single API request may take (e.g. 5s); 0 means no limit')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Act as this user (impersonation), like `kubectl --as`')
            [CompletionResult]::new('--as-group', '--as-group', [CompletionResultType]::ParameterName, 'Act as a member of this group (impersonation, with --as); repeat for several groups')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token to authenticate with, instead of the kubeconfig user''s credentials (its client certificate, token or exec plugin)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Address of the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--certificate-authority', '--certificate-authority', [CompletionResultType]::ParameterName, 'CA certificate file that verifies the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--full', '--full', [CompletionResultType]::ParameterName, 'Move every pod (partition 0): finish the rollout')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Lower the partition and return without waiting')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and check it with the server (server-side dry run); change nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--insecure-skip-tls-verify', '--insecure-skip-tls-verify', [CompletionResultType]::ParameterName, 'Do not verify the API server''s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-sts;abort' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long a single API request may take (e.g. 5s); 0 means no limit')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Act as this user (impersonation), like `kubectl --as`')
            [CompletionResult]::new('--as-group', '--as-group', [CompletionResultType]::ParameterName, 'Act as a member of this group (impersonation, with --as); repeat for several groups')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token to authenticate with, instead of the kubeconfig user''s credentials (its client certificate, token or exec plugin)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Address of the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--certificate-authority', '--certificate-authority', [CompletionResultType]::ParameterName, 'CA certificate file that verifies the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Restore the template, delete the stuck pods and return without waiting')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and check it with the server (server-side dry run); change nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--insecure-skip-tls-verify', '--insecure-skip-tls-verify', [CompletionResultType]::ParameterName, 'Do not verify the API server''s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-sts;history' {
            [CompletionResult]::new('--contexts', '--contexts', [CompletionResultType]::ParameterName, 'Ask these kubeconfig contexts at once, comma-separated: one section (or CONTEXT column) per context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long a single API request may take (e.g. 5s); 0 means no limit')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Act as this user (impersonation), like `kubectl --as`')
            [CompletionResult]::new('--as-group', '--as-group', [CompletionResultType]::ParameterName, 'Act as a member of this group (impersonation, with --as); repeat for several groups')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token to authenticate with, instead of the kubeconfig user''s credentials (its client certificate, token or exec plugin)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Address of the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--certificate-authority', '--certificate-authority', [CompletionResultType]::ParameterName, 'CA certificate file that verifies the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Ask every context of the kubeconfig at once, as --contexts')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--insecure-skip-tls-verify', '--insecure-skip-tls-verify', [CompletionResultType]::ParameterName, 'Do not verify the API server''s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-sts;undo' {
            [CompletionResult]::new('--to-revision', '--to-revision', [CompletionResultType]::ParameterName, 'The revision number to go back to (see `kubectl sts history`); default: the previous one')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long a single API request may take (e.g. 5s); 0 means no limit')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Act as this user (impersonation), like `kubectl --as`')
            [CompletionResult]::new('--as-group', '--as-group', [CompletionResultType]::ParameterName, 'Act as a member of this group (impersonation, with --as); repeat for several groups')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token to authenticate with, instead of the kubeconfig user''s credentials (its client certificate, token or exec plugin)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Address of the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--certificate-authority', '--certificate-authority', [CompletionResultType]::ParameterName, 'CA certificate file that verifies the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Restore the template and return without waiting')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and check it with the server (server-side dry run); change nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--insecure-skip-tls-verify', '--insecure-skip-tls-verify', [CompletionResultType]::ParameterName, 'Do not verify the API server''s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-sts;roll' {
            [CompletionResult]::new('--ordinals', '--ordinals', [CompletionResultType]::ParameterName, 'Replace only these ordinals, in this order (e.g. 2,0); default: every outdated pod, highest ordinal first')
            [CompletionResult]::new('--pod-check', '--pod-check', [CompletionResultType]::ParameterName, 'After each pod is back updated and Ready, run CMD through `sh -c` until it passes; no other pod is taken down before. It gets STS_NAMESPACE, STS_NAME, STS_POD, STS_ORDINAL, STS_POD_FQDN, STS_UPDATED_PODS and STS_REMAINING_PODS')
            [CompletionResult]::new('--pod-check-passes', '--pod-check-passes', [CompletionResultType]::ParameterName, 'Consecutive passes the pod check needs (a flapping signal does not count)')
            [CompletionResult]::new('--pod-check-interval', '--pod-check-interval', [CompletionResultType]::ParameterName, 'Time between two runs of the pod check')
            [CompletionResult]::new('--pod-check-timeout', '--pod-check-timeout', [CompletionResultType]::ParameterName, 'How long a pod''s check may take to pass, all runs together (also the limit of each hook)')
            [CompletionResult]::new('--before-each', '--before-each', [CompletionResultType]::ParameterName, 'Run CMD before each pod is taken down (a switchover, draining a broker); a failure stops the roll before that pod is touched. Same environment as --pod-check')
            [CompletionResult]::new('--after-each', '--after-each', [CompletionResultType]::ParameterName, 'Run CMD after each pod is back Ready (before its --pod-check); a failure stops the roll')
            [CompletionResult]::new('--leader', '--leader', [CompletionResultType]::ParameterName, 'CMD prints the pod that must go last (a name or an ordinal); it is asked again before each pod, since leadership moves during a roll')
            [CompletionResult]::new('--max-unavailable', '--max-unavailable', [CompletionResultType]::ParameterName, 'Take up to N pods down at once, once every other member is Ready (never more than N not Ready; PodDisruptionBudgets still honoured with --evict); the leader goes alone')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long a single API request may take (e.g. 5s); 0 means no limit')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Act as this user (impersonation), like `kubectl --as`')
            [CompletionResult]::new('--as-group', '--as-group', [CompletionResultType]::ParameterName, 'Act as a member of this group (impersonation, with --as); repeat for several groups')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token to authenticate with, instead of the kubeconfig user''s credentials (its client certificate, token or exec plugin)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Address of the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--certificate-authority', '--certificate-authority', [CompletionResultType]::ParameterName, 'CA certificate file that verifies the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--evict', '--evict', [CompletionResultType]::ParameterName, 'Take pods down through the Eviction API, so that PodDisruptionBudgets are honoured')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Take down only the next pod and return without waiting (re-run to go on)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and check it with the server (server-side dry run); change nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--insecure-skip-tls-verify', '--insecure-skip-tls-verify', [CompletionResultType]::ParameterName, 'Do not verify the API server''s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-sts;restart' {
            [CompletionResult]::new('--pod-check', '--pod-check', [CompletionResultType]::ParameterName, 'After each pod is back updated and Ready, run CMD through `sh -c` until it passes; no other pod is taken down before. It gets STS_NAMESPACE, STS_NAME, STS_POD, STS_ORDINAL, STS_POD_FQDN, STS_UPDATED_PODS and STS_REMAINING_PODS')
            [CompletionResult]::new('--pod-check-passes', '--pod-check-passes', [CompletionResultType]::ParameterName, 'Consecutive passes the pod check needs (a flapping signal does not count)')
            [CompletionResult]::new('--pod-check-interval', '--pod-check-interval', [CompletionResultType]::ParameterName, 'Time between two runs of the pod check')
            [CompletionResult]::new('--pod-check-timeout', '--pod-check-timeout', [CompletionResultType]::ParameterName, 'How long a pod''s check may take to pass, all runs together (also the limit of each hook)')
            [CompletionResult]::new('--before-each', '--before-each', [CompletionResultType]::ParameterName, 'Run CMD before each pod is taken down (a switchover, draining a broker); a failure stops the roll before that pod is touched. Same environment as --pod-check')
            [CompletionResult]::new('--after-each', '--after-each', [CompletionResultType]::ParameterName, 'Run CMD after each pod is back Ready (before its --pod-check); a failure stops the roll')
            [CompletionResult]::new('--leader', '--leader', [CompletionResultType]::ParameterName, 'CMD prints the pod that must go last (a name or an ordinal); it is asked again before each pod, since leadership moves during a roll')
            [CompletionResult]::new('--max-unavailable', '--max-unavailable', [CompletionResultType]::ParameterName, 'Take up to N pods down at once, once every other member is Ready (never more than N not Ready; PodDisruptionBudgets still honoured with --evict); the leader goes alone')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long a single API request may take (e.g. 5s); 0 means no limit')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Act as this user (impersonation), like `kubectl --as`')
            [CompletionResult]::new('--as-group', '--as-group', [CompletionResultType]::ParameterName, 'Act as a member of this group (impersonation, with --as); repeat for several groups')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token to authenticate with, instead of the kubeconfig user''s credentials (its client certificate, token or exec plugin)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Address of the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--certificate-authority', '--certificate-authority', [CompletionResultType]::ParameterName, 'CA certificate file that verifies the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--evict', '--evict', [CompletionResultType]::ParameterName, 'OnDelete sets: take pods down through the Eviction API (PodDisruptionBudgets honoured)')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Set the annotation and return without waiting for the pods')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and check it with the server (server-side dry run); change nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--insecure-skip-tls-verify', '--insecure-skip-tls-verify', [CompletionResultType]::ParameterName, 'Do not verify the API server''s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-sts;recover' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long a single API request may take (e.g. 5s); 0 means no limit')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Act as this user (impersonation), like `kubectl --as`')
            [CompletionResult]::new('--as-group', '--as-group', [CompletionResultType]::ParameterName, 'Act as a member of this group (impersonation, with --as); repeat for several groups')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token to authenticate with, instead of the kubeconfig user''s credentials (its client certificate, token or exec plugin)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Address of the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--certificate-authority', '--certificate-authority', [CompletionResultType]::ParameterName, 'CA certificate file that verifies the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--force-delete', '--force-delete', [CompletionResultType]::ParameterName, 'Delete each stranded pod at once (grace period 0), only while it is the pod proven stranded (uid); the controller re-creates it on a live node')
            [CompletionResult]::new('--out-of-service', '--out-of-service', [CompletionResultType]::ParameterName, 'Taint each dead node node.kubernetes.io/out-of-service=nodeshutdown:NoExecute: the pod garbage collector removes its pods and its volumes are detached (remove the taint once the node is repaired)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and check it with the server (server-side dry run); change nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--insecure-skip-tls-verify', '--insecure-skip-tls-verify', [CompletionResultType]::ParameterName, 'Do not verify the API server''s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-sts;delete' {
            [CompletionResult]::new('--backup-dir', '--backup-dir', [CompletionResultType]::ParameterName, 'Directory to save the set''s manifest in before an --orphan delete')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long a single API request may take (e.g. 5s); 0 means no limit')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Act as this user (impersonation), like `kubectl --as`')
            [CompletionResult]::new('--as-group', '--as-group', [CompletionResultType]::ParameterName, 'Act as a member of this group (impersonation, with --as); repeat for several groups')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token to authenticate with, instead of the kubeconfig user''s credentials (its client certificate, token or exec plugin)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Address of the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--certificate-authority', '--certificate-authority', [CompletionResultType]::ParameterName, 'CA certificate file that verifies the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--orphan', '--orphan', [CompletionResultType]::ParameterName, 'Delete only the set (propagationPolicy Orphan): its pods keep running, its claims stay')
            [CompletionResult]::new('--delete-pvcs', '--delete-pvcs', [CompletionResultType]::ParameterName, 'Also delete the set''s claims once it is gone; asks to type the set''s name (volumes with reclaimPolicy Delete lose their data)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and check it with the server (server-side dry run); change nothing')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Start the teardown (scale to 0) or the orphan delete and return without waiting; re-run to finish')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--insecure-skip-tls-verify', '--insecure-skip-tls-verify', [CompletionResultType]::ParameterName, 'Do not verify the API server''s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-sts;pvc' {
            [CompletionResult]::new('--contexts', '--contexts', [CompletionResultType]::ParameterName, 'Ask these kubeconfig contexts at once, comma-separated: one section (or CONTEXT column) per context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long a single API request may take (e.g. 5s); 0 means no limit')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Act as this user (impersonation), like `kubectl --as`')
            [CompletionResult]::new('--as-group', '--as-group', [CompletionResultType]::ParameterName, 'Act as a member of this group (impersonation, with --as); repeat for several groups')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token to authenticate with, instead of the kubeconfig user''s credentials (its client certificate, token or exec plugin)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Address of the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--certificate-authority', '--certificate-authority', [CompletionResultType]::ParameterName, 'CA certificate file that verifies the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--prune', '--prune', [CompletionResultType]::ParameterName, 'Delete leftover claims (ordinals outside the set) that no pod uses, after confirmation')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'With --prune: print the plan and check it with the server; delete nothing')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Ask every context of the kubeconfig at once, as --contexts')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--insecure-skip-tls-verify', '--insecure-skip-tls-verify', [CompletionResultType]::ParameterName, 'Do not verify the API server''s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('resize', 'resize', [CompletionResultType]::ParameterValue, 'Grow a claim template: patch each claim, orphan-delete the set and create it again with the new size; the pods are adopted without restarts')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-sts;pvc;resize' {
            [CompletionResult]::new('--template', '--template', [CompletionResultType]::ParameterName, 'The claim template to grow (a name under spec.volumeClaimTemplates); needed only when the set has several')
            [CompletionResult]::new('--size', '--size', [CompletionResultType]::ParameterName, 'The new size: a quantity above the current one (e.g. 2Gi, 1.5Ti, 500G)')
            [CompletionResult]::new('--backup-dir', '--backup-dir', [CompletionResultType]::ParameterName, 'Directory to save the set''s manifest in before it is deleted')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long a single API request may take (e.g. 5s); 0 means no limit')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Act as this user (impersonation), like `kubectl --as`')
            [CompletionResult]::new('--as-group', '--as-group', [CompletionResultType]::ParameterName, 'Act as a member of this group (impersonation, with --as); repeat for several groups')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token to authenticate with, instead of the kubeconfig user''s credentials (its client certificate, token or exec plugin)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Address of the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--certificate-authority', '--certificate-authority', [CompletionResultType]::ParameterName, 'CA certificate file that verifies the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and have the server check the claim patches (server-side dry run); change nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--insecure-skip-tls-verify', '--insecure-skip-tls-verify', [CompletionResultType]::ParameterName, 'Do not verify the API server''s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-sts;pvc;help' {
            [CompletionResult]::new('resize', 'resize', [CompletionResultType]::ParameterValue, 'Grow a claim template: patch each claim, orphan-delete the set and create it again with the new size; the pods are adopted without restarts')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-sts;pvc;help;resize' {
            break
        }
        'kubectl-sts;pvc;help;help' {
            break
        }
        'kubectl-sts;dns' {
            [CompletionResult]::new('--nameserver', '--nameserver', [CompletionResultType]::ParameterName, 'With --resolve: ask this DNS server directly (HOST:PORT, port 53 if left out) instead of going through the API server')
            [CompletionResult]::new('--cluster-domain', '--cluster-domain', [CompletionResultType]::ParameterName, 'The cluster''s DNS domain; with --resolve it is checked against the server''s answers')
            [CompletionResult]::new('--contexts', '--contexts', [CompletionResultType]::ParameterName, 'Ask these kubeconfig contexts at once, comma-separated: one section (or CONTEXT column) per context')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long a single API request may take (e.g. 5s); 0 means no limit')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Act as this user (impersonation), like `kubectl --as`')
            [CompletionResult]::new('--as-group', '--as-group', [CompletionResultType]::ParameterName, 'Act as a member of this group (impersonation, with --as); repeat for several groups')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token to authenticate with, instead of the kubeconfig user''s credentials (its client certificate, token or exec plugin)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Address of the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--certificate-authority', '--certificate-authority', [CompletionResultType]::ParameterName, 'CA certificate file that verifies the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--resolve', '--resolve', [CompletionResultType]::ParameterName, 'Also query the cluster''s DNS for every pod name (A/AAAA), the Service name and its SRV names, and compare the answers with the pod IPs (by default through a port-forward to a cluster DNS pod in kube-system: nothing is created)')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Ask every context of the kubeconfig at once, as --contexts')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--insecure-skip-tls-verify', '--insecure-skip-tls-verify', [CompletionResultType]::ParameterName, 'Do not verify the API server''s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-sts;completion' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long a single API request may take (e.g. 5s); 0 means no limit')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Act as this user (impersonation), like `kubectl --as`')
            [CompletionResult]::new('--as-group', '--as-group', [CompletionResultType]::ParameterName, 'Act as a member of this group (impersonation, with --as); repeat for several groups')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token to authenticate with, instead of the kubeconfig user''s credentials (its client certificate, token or exec plugin)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Address of the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--certificate-authority', '--certificate-authority', [CompletionResultType]::ParameterName, 'CA certificate file that verifies the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--insecure-skip-tls-verify', '--insecure-skip-tls-verify', [CompletionResultType]::ParameterName, 'Do not verify the API server''s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-sts;man' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the StatefulSet (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people (`wide`: every pod listed), one JSON or YAML document for scripts')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the cluster to reach the goal (e.g. 30s, 5m)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long a single API request may take (e.g. 5s); 0 means no limit')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Act as this user (impersonation), like `kubectl --as`')
            [CompletionResult]::new('--as-group', '--as-group', [CompletionResultType]::ParameterName, 'Act as a member of this group (impersonation, with --as); repeat for several groups')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token to authenticate with, instead of the kubeconfig user''s credentials (its client certificate, token or exec plugin)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Address of the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('--certificate-authority', '--certificate-authority', [CompletionResultType]::ParameterName, 'CA certificate file that verifies the API server, instead of the kubeconfig cluster''s')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required to change anything without a TTY)')
            [CompletionResult]::new('--insecure-skip-tls-verify', '--insecure-skip-tls-verify', [CompletionResultType]::ParameterName, 'Do not verify the API server''s certificate (insecure: anyone on the way can read and change what is sent; a warning is printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-sts;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List StatefulSets with their replicas, strategy, partition and rollouts in flight')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show one StatefulSet: revisions, every ordinal''s pod and claims, DNS names, and what the controller is doing or waiting on')
            [CompletionResult]::new('why', 'why', [CompletionResultType]::ParameterValue, 'Explain what keeps a StatefulSet from converging: each finding with the cluster''s evidence (conditions, container states, events, quotas, volumes) and the command to run')
            [CompletionResult]::new('wait', 'wait', [CompletionResultType]::ParameterValue, 'Wait until a StatefulSet has converged under its own strategy (for CI after `helm upgrade` or a GitOps sync): every member Ready and available, every pod the strategy updates by itself on the update revision; stop as soon as something blocks')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Plan a changed manifest (Helm, kustomize, a repository) against the live StatefulSets, field by field: in place, rolled out (which pods, in which order), re-created with pods and claims kept (fields the API server refuses to update), or refused with the reason')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Carry out a manifest''s plan in one ordered, crash-safe sequence: claims grown, the set re-created with its pods and claims kept when a field cannot be updated, then the template applied and its rollout followed until the set has converged')
            [CompletionResult]::new('scale', 'scale', [CompletionResultType]::ParameterValue, 'Scale a StatefulSet in order, showing which pods come and go and what happens to their claims, then wait pod by pod')
            [CompletionResult]::new('rollout', 'rollout', [CompletionResultType]::ParameterValue, 'Stage a new template: images and partition in one write, so no pod restarts before the partition is in place (default partition: the replica count, nothing moves until promoted)')
            [CompletionResult]::new('canary', 'canary', [CompletionResultType]::ParameterValue, 'Roll a new template out to the K highest ordinals only and wait until they are Ready')
            [CompletionResult]::new('promote', 'promote', [CompletionResultType]::ParameterValue, 'Lower the partition of a staged rollout and wait for each newly updated pod; on a terminal without a choice, offers the next pod, half of the rest, or all')
            [CompletionResult]::new('abort', 'abort', [CompletionResultType]::ParameterValue, 'Stop a staged rollout: template back to the revision it started from, broken pods on the aborted revision deleted so they come back, partition restored')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'List the revisions of a StatefulSet with what changed in each (images, env, resources, …)')
            [CompletionResult]::new('undo', 'undo', [CompletionResultType]::ParameterValue, 'Go back to an earlier revision (the previous one by default)')
            [CompletionResult]::new('roll', 'roll', [CompletionResultType]::ParameterValue, 'Replace the outdated pods of an OnDelete set one at a time (or chosen ordinals of any set), each after every other member is Ready; resumable')
            [CompletionResult]::new('restart', 'restart', [CompletionResultType]::ParameterValue, 'Restart every pod (the `kubectl.kubernetes.io/restartedAt` template annotation, as `kubectl rollout restart` sets it), following the rollout; OnDelete sets are rolled')
            [CompletionResult]::new('recover', 'recover', [CompletionResultType]::ParameterValue, 'Recover members stranded on a dead node: prove the node down (Ready condition, Lease, taints, volume attachments), then force-delete the pods or fence the node out of service, and wait until each member is Ready again on a live node')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a StatefulSet safely: an ordered teardown (scale to 0 pod by pod, then delete), or with --orphan only the set, its pods left running and its claims in place')
            [CompletionResult]::new('pvc', 'pvc', [CompletionResultType]::ParameterValue, 'A StatefulSet''s claims per ordinal and template (leftovers included) with volumes, sizes, classes and reclaim policies; prune leftovers; grow a template with `pvc resize`')
            [CompletionResult]::new('dns', 'dns', [CompletionResultType]::ParameterValue, 'Check every pod''s DNS name (`<pod>.<service>.<ns>.svc.<domain>`) and say why one would not resolve: Service, headless, selector, endpoints, readiness, label lengths, SRV names; with --resolve, ask the cluster''s DNS and compare its answers with the pod IPs')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script for `kubectl-sts`, generated from these definitions')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write the man pages (roff), one per command, generated from these definitions')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-sts;help;list' {
            break
        }
        'kubectl-sts;help;status' {
            break
        }
        'kubectl-sts;help;why' {
            break
        }
        'kubectl-sts;help;wait' {
            break
        }
        'kubectl-sts;help;plan' {
            break
        }
        'kubectl-sts;help;apply' {
            break
        }
        'kubectl-sts;help;scale' {
            break
        }
        'kubectl-sts;help;rollout' {
            break
        }
        'kubectl-sts;help;canary' {
            break
        }
        'kubectl-sts;help;promote' {
            break
        }
        'kubectl-sts;help;abort' {
            break
        }
        'kubectl-sts;help;history' {
            break
        }
        'kubectl-sts;help;undo' {
            break
        }
        'kubectl-sts;help;roll' {
            break
        }
        'kubectl-sts;help;restart' {
            break
        }
        'kubectl-sts;help;recover' {
            break
        }
        'kubectl-sts;help;delete' {
            break
        }
        'kubectl-sts;help;pvc' {
            [CompletionResult]::new('resize', 'resize', [CompletionResultType]::ParameterValue, 'Grow a claim template: patch each claim, orphan-delete the set and create it again with the new size; the pods are adopted without restarts')
            break
        }
        'kubectl-sts;help;pvc;resize' {
            break
        }
        'kubectl-sts;help;dns' {
            break
        }
        'kubectl-sts;help;completion' {
            break
        }
        'kubectl-sts;help;man' {
            break
        }
        'kubectl-sts;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
