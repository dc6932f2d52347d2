# The workspace's notification policy tree (one per workspace): critical alerts notified
# fast, the platform team's muted at weekends, everything else to the default contact point.
resource "grafana_mute_timing" "weekends" {
  name = "Weekends"

  intervals {
    weekdays = ["saturday", "sunday"]
  }
}

resource "grafana_notification_policy" "tree" {
  contact_point   = "grafana-default-email" # the contact point every Grafana starts with
  group_by        = ["grafana_folder", "alertname"]
  group_wait      = "30s"
  group_interval  = "5m"
  repeat_interval = "4h"

  policy {
    matcher {
      label = "severity"
      match = "="
      value = "critical"
    }
    group_wait      = "10s"
    repeat_interval = "1h"
  }

  policy {
    matcher {
      label = "team"
      match = "=~"
      value = "platform|sre"
    }
    mute_timings = [grafana_mute_timing.weekends.name]
  }
}
