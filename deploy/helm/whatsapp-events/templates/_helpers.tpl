{{/* Names, labels and the pieces every workload of the chart shares. */}}

{{- define "whatsapp-events.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "whatsapp-events.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "whatsapp-events.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "whatsapp-events.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "whatsapp-events.selectorLabels" -}}
app.kubernetes.io/name: {{ include "whatsapp-events.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Selector labels of one workload: the chart's, plus its component (and projector process). */}}
{{- define "whatsapp-events.componentSelector" -}}
{{ include "whatsapp-events.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- with .process }}
whatsapp-events/projector-process: {{ . }}
{{- end }}
{{- end }}

{{- define "whatsapp-events.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag | toString) }}
{{- end }}

{{- define "whatsapp-events.secretName" -}}
{{- default (include "whatsapp-events.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{- define "whatsapp-events.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "whatsapp-events.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Environment from the Secret, one variable per key the workload reads, and the credentials of Kafka, the
registry and the OTLP collector, which every workload reads. MONGODB_URI must be there; the others may be
absent from an existing Secret (absent is empty: none).
*/}}
{{- define "whatsapp-events.secretEnv" -}}
{{- $secret := include "whatsapp-events.secretName" .root }}
{{- $connections := list "KAFKA_SASL_PASSWORD" "SCHEMA_REGISTRY_PASSWORD" "SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO" "SCHEMA_REGISTRY_BEARER_TOKEN" "OTEL_EXPORTER_OTLP_HEADERS" }}
{{- range concat .keys $connections }}
- name: {{ . }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ . }}
      {{- if ne . "MONGODB_URI" }}
      optional: true
      {{- end }}
{{- end }}
{{- end }}

{{/* A value as an environment variable's text: whole numbers whole (values hold numbers as floats). */}}
{{- define "whatsapp-events.text" -}}
{{- if and (kindIs "float64" .) (eq . (float64 (int64 .))) }}
{{- int64 . | toString }}
{{- else }}
{{- toString . }}
{{- end }}
{{- end }}

{{/* A map of settings (variable name: value) as container environment. */}}
{{- define "whatsapp-events.settingsEnv" -}}
{{- range $name, $value := . }}
- name: {{ $name }}
  value: {{ include "whatsapp-events.text" $value | quote }}
{{- end }}
{{- end }}

{{/* Rolls the pods when the settings or the chart's own Secret change. */}}
{{- define "whatsapp-events.configChecksums" -}}
checksum/settings: {{ include (print .Template.BasePath "/settings-configmap.yaml") . | sha256sum }}
{{- if not .Values.secrets.existingSecret }}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end }}
{{- end }}

{{/* Pod-level settings every workload shares: non-root, no service-account token, no host namespaces. */}}
{{- define "whatsapp-events.podSecurity" -}}
serviceAccountName: {{ include "whatsapp-events.serviceAccountName" . }}
automountServiceAccountToken: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* Container-level hardening: read-only root, no privilege escalation, every capability dropped. */}}
{{- define "whatsapp-events.containerSecurity" -}}
securityContext:
  {{- toYaml .Values.containerSecurityContext | nindent 2 }}
{{- end }}

{{/* Node writes nothing but may use /tmp (the OS temp dir): a small emptyDir keeps the root read-only. */}}
{{- define "whatsapp-events.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpVolumeSizeLimit }}
{{- end }}

{{- define "whatsapp-events.tmpMount" -}}
- name: tmp
  mountPath: /tmp
{{- end }}

{{/* The Secret of CA, certificate and key files, when tlsFiles.existingSecret names one. */}}
{{- define "whatsapp-events.tlsFilesVolume" -}}
{{- with .Values.tlsFiles.existingSecret }}
- name: tls-files
  secret:
    secretName: {{ . }}
{{- end }}
{{- end }}

{{- define "whatsapp-events.tlsFilesMount" -}}
{{- if .Values.tlsFiles.existingSecret }}
- name: tls-files
  mountPath: {{ .Values.tlsFiles.mountPath }}
  readOnly: true
{{- end }}
{{- end }}

{{- define "whatsapp-events.scheduling" -}}
{{- with .nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* The consumer group of a projection, as projector/framework/projector-settings.ts names it. */}}
{{- define "whatsapp-events.consumerGroup" -}}
{{- if .consumerGroup }}
{{- .consumerGroup }}
{{- else }}
{{- printf "%swhatsapp-%s-projector" .topicPrefix .projection }}
{{- end }}
{{- end }}

{{/*
The pod of a command run as a Job or CronJob: the shared settings, the given settings and secrets, the
same hardening as the services. Arguments: root, name, command (list), settings (map), secretKeys (list),
resources.
*/}}
{{- define "whatsapp-events.commandPod" -}}
metadata:
  labels:
    {{- include "whatsapp-events.labels" .root | nindent 4 }}
    app.kubernetes.io/component: {{ .name }}
spec:
  {{- include "whatsapp-events.podSecurity" .root | nindent 2 }}
  restartPolicy: Never
  containers:
    - name: {{ .name }}
      image: {{ include "whatsapp-events.image" .root }}
      imagePullPolicy: {{ .root.Values.image.pullPolicy }}
      command:
        {{- toYaml .command | nindent 8 }}
      envFrom:
        - configMapRef:
            name: {{ include "whatsapp-events.fullname" .root }}-settings
      {{- $extraEnv := "" }}
      {{- with .root.Values.extraEnv }}
      {{- $extraEnv = toYaml . }}
      {{- end }}
      {{- $env := list (include "whatsapp-events.settingsEnv" .settings | trim) (include "whatsapp-events.secretEnv" (dict "root" .root "keys" .secretKeys) | trim) $extraEnv | compact | join "\n" }}
      {{- with $env }}
      env:
        {{- . | nindent 8 }}
      {{- end }}
      {{- with .resources }}
      resources:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- include "whatsapp-events.containerSecurity" .root | nindent 6 }}
      volumeMounts:
        {{- include "whatsapp-events.tmpMount" .root | nindent 8 }}
        {{- include "whatsapp-events.tlsFilesMount" .root | nindent 8 }}
  volumes:
    {{- include "whatsapp-events.tmpVolume" .root | nindent 4 }}
    {{- include "whatsapp-events.tlsFilesVolume" .root | nindent 4 }}
{{- end }}
