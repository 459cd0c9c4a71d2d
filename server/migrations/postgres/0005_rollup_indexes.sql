-- The wall reads today's rollups by day and the saturation window by hour.
CREATE INDEX process_daily_day ON process_daily (day);
CREATE INDEX robot_hourly_hour ON robot_hourly (hour);
