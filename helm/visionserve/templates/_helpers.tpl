{{/* The chart name, or nameOverride. */}}
{{- define "visionserve.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The name of every object: <release>-visionserve, the release alone when it contains the chart name, or fullnameOverride. */}}
{{- define "visionserve.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "visionserve.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "visionserve.selectorLabels" -}}
app.kubernetes.io/name: {{ include "visionserve.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "visionserve.labels" -}}
helm.sh/chart: {{ include "visionserve.chart" . }}
{{ include "visionserve.selectorLabels" . }}
app.kubernetes.io/version: {{ include "visionserve.imageTag" . | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "visionserve.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "visionserve.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* image.tag (default: the chart's appVersion) followed by image.tagSuffix ("-gpu" in values-gpu.yaml). */}}
{{- define "visionserve.imageTag" -}}
{{- printf "%s%s" (.Values.image.tag | default .Chart.AppVersion) .Values.image.tagSuffix | trunc 63 -}}
{{- end -}}

{{- define "visionserve.image" -}}
{{- printf "%s:%s" .Values.image.repository (include "visionserve.imageTag" .) -}}
{{- end -}}

{{/* Where the model repository is in the container, whatever its source: the image bakes it there. */}}
{{- define "visionserve.modelsPath" -}}
/models
{{- end -}}

{{/* The one place that checks models.source. */}}
{{- define "visionserve.modelsSource" -}}
{{- $source := .Values.models.source -}}
{{- if not (has $source (list "image" "pvc" "download")) -}}
{{- fail (printf "models.source must be image, pvc or download, not %q" $source) -}}
{{- end -}}
{{- $source -}}
{{- end -}}

{{/*
PromQL label matchers that select this release's series: by default the namespace and service labels that a
ServiceMonitor scrape gives them; prometheusRule.selector replaces them (for another scrape configuration).
*/}}
{{- define "visionserve.promSelector" -}}
{{- if .Values.prometheusRule.selector -}}
{{- .Values.prometheusRule.selector -}}
{{- else -}}
{{- printf "namespace=%q,service=%q" .Release.Namespace (include "visionserve.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* The container port that actuator (probes, scrape) answers on: its own with managementPort, else the API's. */}}
{{- define "visionserve.managementPortName" -}}
{{- if .Values.managementPort -}}
management
{{- else -}}
http
{{- end -}}
{{- end -}}

{{/* The Secret with the API keys: apiKeys.existingSecret, the chart's own when apiKeys.keys is set, else empty. */}}
{{- define "visionserve.apiKeysSecret" -}}
{{- if and .Values.apiKeys.existingSecret .Values.apiKeys.keys -}}
{{- fail "apiKeys: set existingSecret or keys, not both" -}}
{{- else if .Values.apiKeys.existingSecret -}}
{{- .Values.apiKeys.existingSecret -}}
{{- else if .Values.apiKeys.keys -}}
{{- printf "%s-api-keys" (include "visionserve.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Where the container reads the API keys from. */}}
{{- define "visionserve.apiKeysPath" -}}
/etc/visionserve/api-keys
{{- end -}}
