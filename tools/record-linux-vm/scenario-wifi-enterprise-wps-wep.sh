# Guest scenario (sourced by record.sh's init, which gives `rec` and `recin`): the last of
# WiFiAccessPoint:1/2 on a Linux gateway. RADIUS (WPA2-Enterprise) and WEP on a BSS the agent
# added: its configuration file rewritten whole and the BSS REMOVEd and ADDed again through
# hostapd's global control interface (hostapd's `set auth_server_addr` appends a server, and a WEP
# key `set` while WPA runs stays and fails every later reload). A second hostapd (driver=none) is
# the RADIUS server (its integrated EAP server, EAP-PWD), and a station in a namespace (phy2)
# authenticates through it. WPS on wlan0 (hostapd's own file): wps_state, config_methods and
# eap_server set at run time, the BSS restarted, then push button and PIN.
modprobe mac80211_hwsim radios=3
ip link set lo up
rec iw-reg-set iw reg set DE
sleep 1
. /wifi-aps.sh
rec hostapd-start-wlan0 hostapd -B -g /run/hostapd-global -P /run/hostapd-wlan0.pid /tmp/ap-wlan0.conf
sleep 5
H="hostapd_cli -p /run/hostapd"
G="hostapd_cli -p /run -i hostapd-global"

# reads SUFFIX: every read of the agent's Get of Device.WiFi. (a replay serves the whole tree from them).
# `iw phy`, phy0's channels and `iw reg get`: recorded once, a replay answers with them throughout (phy0 and the
# domain do not change; only the station's phy2 leaves `iw phy` for its namespace).
reads() {
  if [ "$1" = start ]; then
    rec iw-reg-get iw reg get
    rec iw-phy iw phy
    rec iw-phy0-channels iw phy phy0 channels
  fi
  rec iw-dev-$1 iw dev
  rec hapd-interfaces-$1 $H interface
  for i in $(ls /run/hostapd); do
    rec hapd-$i-status-$1 $H -i "$i" status
    rec hapd-$i-get-config-$1 $H -i "$i" get_config
    rec hapd-$i-all-sta-$1 $H -i "$i" all_sta
    rec hapd-$i-accept-show-$1 $H -i "$i" accept_acl SHOW
    rec iw-$i-info-$1 iw dev "$i" info
    rec iw-$i-station-dump-$1 iw dev "$i" station dump
  done
}
reads start
rec hapd-global-interfaces $G raw INTERFACES

# The RADIUS server: hostapd's integrated one, on 127.0.0.1:1812, one client (127.0.0.1), one EAP-PWD user.
mkdir -p /tmp/as
cat > /tmp/as/clients <<'CONF'
127.0.0.1/32 radius-secret-1
CONF
cat > /tmp/as/users <<'CONF'
"user1" PWD "user1 password"
CONF
cat > /tmp/as/as.conf <<'CONF'
driver=none
interface=as0
ctrl_interface=/run/hostapd-as
eap_server=1
eap_user_file=/tmp/as/users
radius_server_clients=/tmp/as/clients
radius_server_auth_port=1812
CONF
rec hostapd-start-as hostapd -B -P /run/hostapd-as.pid /tmp/as/as.conf
sleep 2

bssfile() { # MODE-LINES...: the agent's BSS file of wlan0_1
  mkdir -p -m 700 /var/lib/usp-agent/wifi-bss
  { printf '%s\n' "# Written by usp-agent for a Controller's Device.WiFi.SSID and AccessPoint; rewritten on each change." \
      interface=wlan0_1 driver=nl80211 ctrl_interface=/run/hostapd hw_mode=g channel=6 ssid=usp-corp; printf '%s\n' "$@"; } \
    > /var/lib/usp-agent/wifi-bss/wlan0_1.conf
  chmod 600 /var/lib/usp-agent/wifi-bss/wlan0_1.conf
}
F=/var/lib/usp-agent/wifi-bss/wlan0_1.conf

# WPA2-Enterprise with a server whose secret is wrong, added; then the right server: the file
# rewritten, REMOVE, ADD (the server list is the file's: one server).
bssfile wpa=2 wpa_key_mgmt=WPA-EAP rsn_pairwise=CCMP ieee8021x=1 auth_server_addr=192.0.2.10 auth_server_port=1645 auth_server_shared_secret=wrong-secret
rec hapd-global-add-eap $G raw ADD bss_config=phy0:$F
sleep 4
reads eap
rec hapd-wlan0_1-status-eap $H -i wlan0_1 status
rec hapd-wlan0_1-get-config-eap $H -i wlan0_1 get_config
rec hapd-wlan0_1-mib-eap $H -i wlan0_1 mib
bssfile wpa=2 wpa_key_mgmt=WPA-EAP rsn_pairwise=CCMP ieee8021x=1 auth_server_addr=127.0.0.1 auth_server_port=1812 auth_server_shared_secret=radius-secret-1
rec hapd-global-remove-eap $G raw REMOVE wlan0_1
rec hapd-global-add-eap-2 $G raw ADD bss_config=phy0:$F
sleep 4
rec hapd-wlan0_1-get-config-eap-2 $H -i wlan0_1 get_config
rec hapd-wlan0_1-mib-eap-2 $H -i wlan0_1 mib
# The station authenticates through the RADIUS server.
ip netns add sta
iw phy phy2 set netns name sta
ip netns exec sta ip link set lo up
cat > /tmp/sta-eap.conf <<'CONF'
ctrl_interface=/run/wpa_supplicant
network={
  ssid="usp-corp"
  key_mgmt=WPA-EAP
  eap=PWD
  identity="user1"
  password="user1 password"
}
CONF
ip netns exec sta wpa_supplicant -B -i wlan2 -c /tmp/sta-eap.conf -P /run/wpa-sta.pid
sleep 20
rec hapd-wlan0_1-all-sta-eap $H -i wlan0_1 all_sta
rec hapd-wlan0_1-mib-eap-sta $H -i wlan0_1 mib
rec sta-status-eap ip netns exec sta wpa_cli -p /run/wpa_supplicant -i wlan2 status
reads eap-2
kill "$(cat /run/wpa-sta.pid)"
# What the `set` way does: a second server appended, the first one stays (mib lists both).
rec hapd-wlan0_1-set-radius-addr $H -i wlan0_1 set auth_server_addr 192.0.2.20
rec hapd-wlan0_1-reload-radius $H -i wlan0_1 reload
rec hapd-wlan0_1-mib-set $H -i wlan0_1 mib

# WEP-128 on the added BSS: the file rewritten (wpa=0, the key), REMOVE, ADD; then WEP-64; then WPA2-Personal again.
bssfile wpa=0 wep_default_key=0 wep_key0=0123456789abcdef0123456789
rec hapd-global-remove-wep $G raw REMOVE wlan0_1
rec hapd-global-add-wep128 $G raw ADD bss_config=phy0:$F
sleep 4
rec hapd-wlan0_1-status-wep128 $H -i wlan0_1 status
rec hapd-wlan0_1-get-config-wep128 $H -i wlan0_1 get_config
reads wep128
bssfile wpa=0 wep_default_key=0 wep_key0=0123456789
rec hapd-global-remove-wep128 $G raw REMOVE wlan0_1
rec hapd-global-add-wep64 $G raw ADD bss_config=phy0:$F
sleep 4
rec hapd-wlan0_1-get-config-wep64 $H -i wlan0_1 get_config
reads wep64
bssfile wpa=2 wpa_key_mgmt=WPA-PSK rsn_pairwise=CCMP "wpa_passphrase=corp pass one"
rec hapd-global-remove-wep64 $G raw REMOVE wlan0_1
rec hapd-global-add-psk $G raw ADD bss_config=phy0:$F
sleep 4
rec hapd-wlan0_1-get-config-psk $H -i wlan0_1 get_config
reads psk
bssfile wpa=0 wep_default_key=0 wep_key0=01234
rec hapd-global-remove-psk $G raw REMOVE wlan0_1
rec hapd-global-add-wep-bad $G raw ADD bss_config=phy0:$F

# WPS on wlan0 (WPA2-Personal, hostapd's own file): the keys at run time, reload (not enough).
rec hapd-wlan0-get-config $H -i wlan0 get_config
rec hapd-wlan0-set-eap-server-reload $H -i wlan0 set eap_server 1
rec hapd-wlan0-set-wps-state-reload $H -i wlan0 set wps_state 2
rec hapd-wlan0-reload-wps $H -i wlan0 reload
sleep 3
rec hapd-wlan0-get-config-wps-reload $H -i wlan0 get_config
rec hapd-wlan0-wps-pbc-reload $H -i wlan0 wps_pbc
rec hapd-wlan0-set-wps-state-undo $H -i wlan0 set wps_state 0
rec hapd-wlan0-reload-wps-undo $H -i wlan0 reload
# As the agent turns WPS on: the keys (config_methods' value one argument), then the interface restarted.
rec hapd-wlan0-set-eap-server $H -i wlan0 set eap_server 1
rec hapd-wlan0-set-wps-state $H -i wlan0 set wps_state 2
rec hapd-wlan0-set-config-methods $H -i wlan0 set config_methods "push_button keypad"
rec hapd-wlan0-disable-wps $H -i wlan0 disable
rec hapd-wlan0-enable-wps $H -i wlan0 enable
sleep 4
reads wps-on
rec hapd-wlan0-wps-pbc $H -i wlan0 wps_pbc
rec hapd-wlan0-wps-get-status $H -i wlan0 wps_get_status
rec hapd-wlan0-wps-cancel $H -i wlan0 wps_cancel
rec hapd-wlan0-wps-pin $H -i wlan0 wps_pin any 12345670
rec hapd-wlan0-wps-check-pin $H -i wlan0 wps_check_pin 12345670
rec hapd-wlan0-wps-check-pin-bad $H -i wlan0 wps_check_pin 12345678
rec hapd-wlan0-wps-cancel-pin $H -i wlan0 wps_cancel
rec hapd-wlan0-get-config-methods $H -i wlan0 get config_methods
# Push button only, then WPS off (wps_state 0), as the agent does: keys, then the interface restarted.
rec hapd-wlan0-set-eap-server-pbc $H -i wlan0 set eap_server 1
rec hapd-wlan0-set-wps-state-pbc $H -i wlan0 set wps_state 2
rec hapd-wlan0-set-config-methods-pbc $H -i wlan0 set config_methods push_button
rec hapd-wlan0-disable-wps-pbc $H -i wlan0 disable
rec hapd-wlan0-enable-wps-pbc $H -i wlan0 enable
sleep 4
reads wps-pbc
rec hapd-wlan0-set-wps-off $H -i wlan0 set wps_state 0
rec hapd-wlan0-disable-wps-off $H -i wlan0 disable
rec hapd-wlan0-enable-wps-off $H -i wlan0 enable
sleep 4
reads wps-off
rec hapd-wlan0-wps-pbc-off $H -i wlan0 wps_pbc
# A hidden SSID with WPS: hostapd reloads without a word and turns WPS off itself.
rec hapd-wlan0-set-wps-on-hidden $H -i wlan0 set wps_state 2
rec hapd-wlan0-set-hidden $H -i wlan0 set ignore_broadcast_ssid 1
rec hapd-wlan0-reload-hidden $H -i wlan0 reload
sleep 3
rec hapd-wlan0-get-config-hidden $H -i wlan0 get_config
