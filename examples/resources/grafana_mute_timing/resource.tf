# A mute timing: no notifications during the Sunday maintenance window, nor on the last day
# of the year. Notification policies name it in `mute_timings`.
resource "grafana_mute_timing" "maintenance" {
  name = "Sunday maintenance"

  intervals {
    times {
      start = "02:00"
      end   = "04:00"
    }
    weekdays = ["sunday"]
    location = "Europe/Paris"
  }

  intervals {
    days_of_month = ["-1"]
    months        = ["december"]
  }
}
